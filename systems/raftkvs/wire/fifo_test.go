package wire

import (
	"testing"

	"pgoharness.local/raftkvs/raft"
)

// Per sender, a message older than one already delivered is dropped (an old connection's backlog read after
// the new connection's messages); other senders are independent, and a restarted sender (newer epoch) starts over.
func TestInOrderDropsWhatArrivesBehindItsSender(t *testing.T) {
	in := make(chan Envelope, 16)
	done := make(chan struct{})
	defer close(done)
	out := inOrder(in, done, func(string, ...any) {})
	env := func(src int, epoch int64, seq uint64) Envelope {
		return Envelope{Msg: raft.Message{Type: raft.AppendEntriesRequest, Source: src}, Epoch: epoch, Seq: seq}
	}
	for _, e := range []Envelope{env(1, 10, 1), env(1, 10, 3), env(1, 10, 2), env(2, 10, 1), env(1, 10, 3), env(1, 11, 1), env(1, 10, 4), env(3, 0, 0), env(3, 0, 0)} {
		in <- e
	}
	type key struct {
		src   int
		epoch int64
		seq   uint64
	}
	want := []key{{1, 10, 1}, {1, 10, 3}, {2, 10, 1}, {1, 11, 1}, {3, 0, 0}, {3, 0, 0}}
	for i, w := range want {
		e := <-out
		if got := (key{e.Msg.Source, e.Epoch, e.Seq}); got != w {
			t.Fatalf("delivery %d: got %+v, want %+v", i, got, w)
		}
	}
	select {
	case e := <-out:
		t.Fatalf("delivered %+v, which is behind its sender", e)
	default:
	}
}
