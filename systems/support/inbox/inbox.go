// Package inbox is the receiving half of the reference systems' TCP mailboxes: it listens on a port, reads
// newline-delimited JSON messages from every connection into one channel (in order per connection), and
// tracks connections — its own and, through Track, the owner's outgoing ones — so that Close ends them all.
// What happens on the sending side (dropping, as raftkvs may; blocking, as a queue must) is the owner's.
package inbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"sync"
)

// Inbox receives messages of type T.
type Inbox[T any] struct {
	// C delivers the messages; a full C holds readers back, so TCP applies back-pressure to senders.
	C chan T

	ln    net.Listener
	onBad func(from net.Addr, err error)
	done  chan struct{}

	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
}

// maxMessage bounds one line (a Raft message can carry many log entries).
const maxMessage = 64 << 20

// Listen opens an inbox on the port of addr, on every interface (so "server1:8000" works inside its container).
// onBad is told of each line that does not decode (and is skipped); nil ignores them.
func Listen[T any](addr string, queue int, onBad func(from net.Addr, err error)) (*Inbox[T], error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("mailbox address %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	if onBad == nil {
		onBad = func(net.Addr, error) {}
	}
	b := &Inbox[T]{C: make(chan T, queue), ln: ln, onBad: onBad, done: make(chan struct{}), conns: map[net.Conn]bool{}}
	go b.accept()
	return b, nil
}

func (b *Inbox[T]) accept() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		if !b.Track(c) {
			return
		}
		go b.read(c)
	}
}

func (b *Inbox[T]) read(c net.Conn) {
	defer b.Untrack(c)
	sc := bufio.NewScanner(c)
	sc.Buffer(make([]byte, 64<<10), maxMessage)
	for sc.Scan() {
		var msg T
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			b.onBad(c.RemoteAddr(), err)
			continue
		}
		select {
		case b.C <- msg:
		case <-b.done:
			return
		}
	}
}

// Track registers a connection to be closed by Close; false (and the connection closed) once closed.
func (b *Inbox[T]) Track(c net.Conn) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		_ = c.Close()
		return false
	}
	b.conns[c] = true
	return true
}

// Untrack forgets and closes a connection.
func (b *Inbox[T]) Untrack(c net.Conn) {
	b.mu.Lock()
	delete(b.conns, c)
	b.mu.Unlock()
	_ = c.Close()
}

// Done is closed by Close.
func (b *Inbox[T]) Done() <-chan struct{} { return b.done }

// Closed reports whether Close was called.
func (b *Inbox[T]) Closed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Close stops listening and closes every tracked connection; readers blocked on C give up.
func (b *Inbox[T]) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	close(b.done)
	conns := b.conns
	b.conns = map[net.Conn]bool{}
	b.mu.Unlock()
	_ = b.ln.Close()
	for c := range conns {
		_ = c.Close()
	}
}
