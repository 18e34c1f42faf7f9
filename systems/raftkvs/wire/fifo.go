package wire

// A sender that times out on a slow receiver (e.g. a paused container, whose kernel still accepts bytes) drops
// the connection and dials again; the receiver then reads the old connection's backlog and the new
// connection's messages interleaved, out of the order they were sent. Raft tolerates that, but the traces
// promise FIFO mailboxes (each read matches the sender's next write, lost ones skipped), so the receiver
// drops any message older than one it already delivered from the same sender: what remains is in order.

type position struct {
	epoch int64
	seq   uint64
}

// inOrder forwards in's messages, per source, only when newer than the last one forwarded (a restarted sender
// has a newer epoch and starts over). It stops when done closes.
func inOrder(in <-chan Envelope, done <-chan struct{}, logf func(string, ...any)) <-chan Envelope {
	out := make(chan Envelope)
	go func() {
		last := map[int]position{}
		for {
			var env Envelope
			select {
			case env = <-in:
			case <-done:
				return
			}
			p, seen := last[env.Msg.Source]
			if env.Seq != 0 && seen && (env.Epoch < p.epoch || (env.Epoch == p.epoch && env.Seq <= p.seq)) {
				logf("mailbox: dropping %s from %d sent before one already delivered (seq %d <= %d)", env.Msg.Type, env.Msg.Source, env.Seq, p.seq)
				continue
			}
			if env.Seq != 0 {
				last[env.Msg.Source] = position{env.Epoch, env.Seq}
			}
			select {
			case out <- env:
			case <-done:
				return
			}
		}
	}()
	return out
}
