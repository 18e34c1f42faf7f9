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
	"pgoharness.local/support/tlink"
)

// Envelope is one message on the wire with the vector clock of the section that sent it.
type Envelope struct {
	Clock []tlink.Entry `json:"clock,omitempty"`
	Msg   raft.Message  `json:"msg"`
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

// Mailbox receives messages on a TCP listener and sends them over one connection per destination. Sending
// never blocks the caller: a message that cannot be queued or delivered is dropped (Raft and the client retry).
type Mailbox struct {
	opts Options
	ln   net.Listener
	In   chan Envelope

	mu     sync.Mutex
	peers  map[int]chan Envelope
	conns  map[net.Conn]bool
	closed bool
	done   chan struct{}
}

// Listen opens a mailbox on the port of addr (on every interface, so "server1:8000" works inside its container).
func Listen(addr string, opts Options) (*Mailbox, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox address %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return nil, fmt.Errorf("mailbox: listening on %s: %w", addr, err)
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	m := &Mailbox{opts: opts, ln: ln, In: make(chan Envelope, opts.QueueSize), peers: map[int]chan Envelope{},
		conns: map[net.Conn]bool{}, done: make(chan struct{})}
	go m.accept()
	return m, nil
}

func (m *Mailbox) accept() {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		if !m.track(c) {
			return
		}
		go m.read(c)
	}
}

func (m *Mailbox) track(c net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		c.Close()
		return false
	}
	m.conns[c] = true
	return true
}

func (m *Mailbox) untrack(c net.Conn) {
	m.mu.Lock()
	delete(m.conns, c)
	m.mu.Unlock()
	c.Close()
}

func (m *Mailbox) read(c net.Conn) {
	defer m.untrack(c)
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		var env Envelope
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil {
			log.Printf("mailbox: dropping a malformed message from %s: %v", c.RemoteAddr(), err)
			continue
		}
		select {
		case m.In <- env:
		case <-m.done:
			return
		}
	}
}

// Send queues env for destination to.
func (m *Mailbox) Send(to int, env Envelope) {
	m.mu.Lock()
	if m.closed {
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
	defer func() {
		if conn != nil {
			m.untrack(conn)
		}
	}()
	for {
		var env Envelope
		select {
		case env = <-q:
		case <-m.done:
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
			if !m.track(c) {
				return
			}
			conn, w = c, bufio.NewWriter(c)
		}
		b, err := json.Marshal(env)
		if err == nil {
			_ = conn.SetWriteDeadline(time.Now().Add(m.opts.WriteTimeout))
			_, err = w.Write(append(b, '\n'))
			// Batch what is already queued into one flush.
			for err == nil && len(q) > 0 {
				b, err = json.Marshal(<-q)
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
			m.untrack(conn)
			conn = nil
		}
	}
}

// Close stops listening and closes every connection.
func (m *Mailbox) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.done)
	conns := m.conns
	m.conns = map[net.Conn]bool{}
	m.mu.Unlock()
	m.ln.Close()
	for c := range conns {
		c.Close()
	}
}
