package dqueue

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"pgoharness.local/support/tlink"
)

// Message is one value on the network with the vector clock of the critical section that sent it, so that the
// receiver's trace records the causal dependency.
type Message struct {
	Value string        `json:"value"`
	Clock []tlink.Entry `json:"clock,omitempty"`
}

// Mailboxes is one node's view of the network `net[_]`: its own mailbox (a TCP listener whose messages queue
// in arrival order) and one connection per remote mailbox. Unlike a lossy transport, a queue must not lose
// messages: Send blocks until the message is written to the connection and Receive blocks until one arrives.
type Mailboxes struct {
	self  int
	addrs map[int]string
	ln    net.Listener
	in    chan Message

	mu     sync.Mutex
	out    map[int]*json.Encoder
	conns  []net.Conn
	closed bool
}

// bufferSize bounds the messages queued in a mailbox; past it the TCP connection applies back-pressure.
const bufferSize = 64

// Listen opens mailbox `self` on its address in addrs (index → host:port), listening on every interface.
func Listen(self int, addrs map[int]string) (*Mailboxes, error) {
	addr, ok := addrs[self]
	if !ok {
		return nil, fmt.Errorf("dqueue: no address for mailbox %d", self)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dqueue: mailbox %d address %q: %w", self, addr, err)
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return nil, fmt.Errorf("dqueue: listening for mailbox %d on %s: %w", self, addr, err)
	}
	m := &Mailboxes{self: self, addrs: addrs, ln: ln, in: make(chan Message, bufferSize), out: map[int]*json.Encoder{}}
	go m.accept()
	return m, nil
}

func (m *Mailboxes) accept() {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		if !m.track(c) {
			return
		}
		go func() {
			dec := json.NewDecoder(bufio.NewReader(c))
			for {
				var msg Message
				if err := dec.Decode(&msg); err != nil {
					return
				}
				m.in <- msg
			}
		}()
	}
}

func (m *Mailboxes) track(c net.Conn) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		_ = c.Close()
		return false
	}
	m.conns = append(m.conns, c)
	return true
}

// Receive takes the next message of the own mailbox, waiting for one.
func (m *Mailboxes) Receive(ctx context.Context) (Message, error) {
	select {
	case msg := <-m.in:
		return msg, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// Send writes msg to mailbox `to`, dialling it (and retrying while its owner is not yet listening) on first use.
func (m *Mailboxes) Send(ctx context.Context, to int, msg Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("dqueue: mailboxes closed")
	}
	enc, ok := m.out[to]
	if !ok {
		addr, known := m.addrs[to]
		if !known {
			return fmt.Errorf("dqueue: no address for mailbox %d", to)
		}
		c, err := dialRetry(ctx, addr)
		if err != nil {
			return fmt.Errorf("dqueue: connecting to mailbox %d at %s: %w", to, addr, err)
		}
		m.conns = append(m.conns, c)
		enc = json.NewEncoder(c)
		m.out[to] = enc
	}
	if err := enc.Encode(msg); err != nil {
		return fmt.Errorf("dqueue: sending to mailbox %d: %w", to, err)
	}
	return nil
}

func dialRetry(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	wait := 10 * time.Millisecond
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Close stops listening and closes every connection.
func (m *Mailboxes) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.closed = true
	_ = m.ln.Close()
	for _, c := range m.conns {
		_ = c.Close()
	}
}
