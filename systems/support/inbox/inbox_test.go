package inbox

import (
	"encoding/json"
	"net"
	"testing"
	"time"
)

type msg struct{ N int }

func TestMessagesArriveInOrderAndBadLinesAreSkipped(t *testing.T) {
	var bad []error
	b, err := Listen[msg]("localhost:0", 4, func(_ net.Addr, err error) { bad = append(bad, err) })
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := net.Dial("tcp", b.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(c)
	_ = enc.Encode(msg{1})
	_, _ = c.Write([]byte("not json\n"))
	_ = enc.Encode(msg{2})
	for want := 1; want <= 2; want++ {
		select {
		case m := <-b.C:
			if m.N != want {
				t.Fatalf("got message %d, want %d", m.N, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d did not arrive", want)
		}
	}
	if len(bad) != 1 {
		t.Fatalf("want 1 bad line reported, got %v", bad)
	}
}

func TestCloseEndsTrackedConnectionsAndBlockedReaders(t *testing.T) {
	b, err := Listen[msg]("localhost:0", 0, nil) // unbuffered: the reader blocks on delivery
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", b.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewEncoder(c).Encode(msg{1})
	time.Sleep(50 * time.Millisecond)
	b.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection is still open after Close")
	}
	if !b.Closed() {
		t.Fatal("Closed() is false after Close")
	}
	out, _ := net.Pipe()
	if b.Track(out) {
		t.Fatal("Track succeeded after Close")
	}
}
