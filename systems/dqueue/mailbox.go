package dqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"pgoharness.local/support/inbox"
	"pgoharness.local/support/tlink"
)

// Message is one value on the network with the vector clock of the critical section that sent it, so that the
// receiver's trace records the causal dependency.
type Message struct {
	Value string        `json:"value"`
	Clock []tlink.Entry `json:"clock,omitempty"`
}

// Mailboxes is one node's view of the network `net[_]`: its own mailbox (the shared TCP inbox, messages queued
// in arrival order) and one connection per remote mailbox. Unlike a lossy transport, a queue must not lose
// messages: Send blocks until the message is written to the connection and Receive blocks until one arrives.
type Mailboxes struct {
	self  int
	addrs map[int]string
	box   *inbox.Inbox[Message]

	mu  sync.Mutex
	out map[int]*json.Encoder
}

// bufferSize bounds the messages queued in a mailbox; past it the TCP connection applies back-pressure.
const bufferSize = 64

// Listen opens mailbox `self` on its address in addrs (index → host:port), listening on every interface.
func Listen(self int, addrs map[int]string) (*Mailboxes, error) {
	addr, ok := addrs[self]
	if !ok {
		return nil, fmt.Errorf("dqueue: no address for mailbox %d", self)
	}
	box, err := inbox.Listen[Message](addr, bufferSize, func(from net.Addr, err error) {
		log.Printf("dqueue: mailbox %d: dropping a malformed message from %s: %v", self, from, err)
	})
	if err != nil {
		return nil, fmt.Errorf("dqueue: mailbox %d: %w", self, err)
	}
	return &Mailboxes{self: self, addrs: addrs, box: box, out: map[int]*json.Encoder{}}, nil
}

// Receive takes the next message of the own mailbox, waiting for one.
func (m *Mailboxes) Receive(ctx context.Context) (Message, error) {
	select {
	case msg := <-m.box.C:
		return msg, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// Send writes msg to mailbox `to`, dialling it (and retrying while its owner is not yet listening) on first use.
func (m *Mailboxes) Send(ctx context.Context, to int, msg Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.box.Closed() {
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
		if !m.box.Track(c) {
			return errors.New("dqueue: mailboxes closed")
		}
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
func (m *Mailboxes) Close() { m.box.Close() }
