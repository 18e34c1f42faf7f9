package wire

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"pgoharness.local/raftkvs/raft"
	"pgoharness.local/support/inbox"
	"pgoharness.local/support/tlink"
)

// Envelope is one message on the wire with the vector clock of the section that sent it.
type Envelope struct {
	Clock []tlink.Entry `json:"clock,omitempty"`
	Msg   raft.Message  `json:"msg"`
	// Epoch (the sending process's start) and Seq (per destination) let the receiver keep each sender's
	// messages in order across reconnections (see fifo.go).
	Epoch int64  `json:"epoch,omitempty"`
	Seq   uint64 `json:"seq,omitempty"`
}

// Options tune a mailbox (from the config's mailboxes section).
type Options struct {
	QueueSize    int
	DialTimeout  time.Duration
	WriteTimeout time.Duration
	// Resolve maps a message destination (mailbox id) to a TCP address.
	Resolve func(id int) (string, bool)
	Logf    func(format string, args ...any)
}

// Mailbox receives messages through the shared TCP inbox and sends them over one connection per destination.
// Sending never blocks the caller: a message that cannot be queued or delivered is dropped (Raft and the client
// retry).
type Mailbox struct {
	opts Options
	box  *inbox.Inbox[Envelope]
	In   <-chan Envelope

	epoch int64

	mu    sync.Mutex
	peers map[int]chan Envelope
}

// Listen opens a mailbox on the port of addr (on every interface, so "server1:8000" works inside its container).
func Listen(addr string, opts Options) (*Mailbox, error) {
	box, err := inbox.Listen[Envelope](addr, opts.QueueSize, func(from net.Addr, err error) {
		log.Printf("mailbox: dropping a malformed message from %s: %v", from, err)
	})
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	m := &Mailbox{opts: opts, box: box, epoch: time.Now().UnixNano(), peers: map[int]chan Envelope{}}
	m.In = inOrder(box.C, box.Done(), opts.Logf)
	return m, nil
}

// Send queues env for destination to.
func (m *Mailbox) Send(to int, env Envelope) {
	m.mu.Lock()
	if m.box.Closed() {
		m.mu.Unlock()
		return
	}
	q, ok := m.peers[to]
	if !ok {
		addr, known := m.opts.Resolve(to)
		if !known {
			m.mu.Unlock()
			m.opts.Logf("mailbox: no address for destination %d; dropping %s", to, env.Msg.Type)
			return
		}
		q = make(chan Envelope, m.opts.QueueSize)
		m.peers[to] = q
		go m.sender(addr, q)
	}
	m.mu.Unlock()
	select {
	case q <- env:
	default:
		m.opts.Logf("mailbox: queue to %d full; dropping %s", to, env.Msg.Type)
	}
}

func (m *Mailbox) sender(addr string, q chan Envelope) {
	var conn net.Conn
	var w *bufio.Writer
	var retryAt time.Time
	var seq uint64
	stamp := func(env Envelope) Envelope {
		seq++
		env.Epoch, env.Seq = m.epoch, seq
		return env
	}
	defer func() {
		if conn != nil {
			m.box.Untrack(conn)
		}
	}()
	for {
		var env Envelope
		select {
		case env = <-q:
		case <-m.box.Done():
			return
		}
		if conn == nil {
			if time.Now().Before(retryAt) {
				continue // recently unreachable: drop rather than stall the queue on every message
			}
			c, err := net.DialTimeout("tcp", addr, m.opts.DialTimeout)
			if err != nil {
				m.opts.Logf("mailbox: dialing %s: %v", addr, err)
				retryAt = time.Now().Add(m.opts.DialTimeout)
				continue
			}
			if !m.box.Track(c) {
				return
			}
			conn, w = c, bufio.NewWriter(c)
		}
		b, err := json.Marshal(stamp(env))
		if err == nil {
			_ = conn.SetWriteDeadline(time.Now().Add(m.opts.WriteTimeout))
			_, err = w.Write(append(b, '\n'))
			// Batch what is already queued into one flush.
			for err == nil && len(q) > 0 {
				b, err = json.Marshal(stamp(<-q))
				if err == nil {
					_, err = w.Write(append(b, '\n'))
				}
			}
			if err == nil {
				err = w.Flush()
			}
		}
		if err != nil {
			m.opts.Logf("mailbox: sending to %s: %v", addr, err)
			m.box.Untrack(conn)
			conn = nil
		}
	}
}

// Close stops listening and closes every connection.
func (m *Mailbox) Close() { m.box.Close() }
