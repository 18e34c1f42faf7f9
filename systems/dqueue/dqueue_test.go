package dqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/antithesishq/antithesis-sdk-go/assert"
	"pgoharness.local/support/tlink"
)

// TestProducerConsumer runs a producer (self 0) and a consumer (self 1) over TCP mailboxes on localhost:8001 and
// localhost:8002, as PGo's own test does, and passes only if the consumer received exactly the produced items, in
// order, and nothing more. DQUEUE_ITEMS sets how many (default 3); DQUEUE_PORT moves the two ports (default 8001,
// so that two runs on one host need not collide); with PGO_TRACE_DIR set both write traces.
func TestProducerConsumer(t *testing.T) {
	n := 3
	if s := os.Getenv("DQUEUE_ITEMS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("DQUEUE_ITEMS must be a positive integer, got %q", s)
		}
		n = v
	}
	port := 8001
	if s := os.Getenv("DQUEUE_PORT"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > 65534 {
			t.Fatalf("DQUEUE_PORT must be a port number, got %q", s)
		}
		port = v
	}
	addrs := map[int]string{0: fmt.Sprintf("localhost:%d", port), 1: fmt.Sprintf("localhost:%d", port+1)}
	consumed := runQueue(t, addrs, os.Getenv("PGO_TRACE_DIR"), n)

	firstBad := firstMismatch(consumed, n)
	inOrder := firstBad < 0
	details := map[string]any{"produced": n, "consumed": len(consumed), "firstMismatch": firstBad}
	// DQUEUE_PLANT (tests of the harness only, unset by default) plants a failure of one property while the
	// queue itself stays correct: "always" asserts the order property false, "sometimes" never lets the
	// Sometimes be true.
	plant := os.Getenv("DQUEUE_PLANT")
	if plant != "" && plant != "always" && plant != "sometimes" {
		t.Fatalf("DQUEUE_PLANT must be always or sometimes, got %q", plant)
	}
	assert.Always(inOrder && plant != "always", "the consumer receives exactly the produced items, in order", details)
	assert.Sometimes(len(consumed) > 0 && plant != "sometimes", "items reach the consumer", details)
	if !inOrder {
		t.Fatalf("consumed %d items for %d produced; first mismatch at index %d (%v)", len(consumed), n, firstBad, head(consumed, 10))
	}
	fmt.Printf("dqueue: consumed all %d produced items, in order\n", n)
}

// runQueue produces 1..n and returns what the consumer output until the producer's stream ran dry and no
// further item arrived.
func runQueue(t *testing.T, addrs map[int]string, traceDir string, n int) []int {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	pNet, err := Listen(0, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer pNet.Close()
	cNet, err := Listen(1, addrs)
	if err != nil {
		t.Fatal(err)
	}
	defer cNet.Close()
	pTrace, err := tlink.Open(traceDir, "AProducer", "0", ProducerStart)
	if err != nil {
		t.Fatal(err)
	}
	defer pTrace.Close()
	cTrace, err := tlink.Open(traceDir, "AConsumer", "1", ConsumerStart)
	if err != nil {
		t.Fatal(err)
	}
	defer cTrace.Close()

	stream := make(chan int)
	proc := make(chan int)
	producer := &Producer{Self: 0, Net: pNet, Stream: stream, Trace: pTrace}
	consumer := &Consumer{Self: 1, Producer: 0, Net: cNet, Proc: proc, Trace: cTrace}

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() { defer wg.Done(); errs <- producer.Run(ctx) }()
	go func() { defer wg.Done(); errs <- consumer.Run(ctx) }()
	go func() {
		defer close(stream)
		for i := 1; i <= n; i++ {
			select {
			case stream <- i:
			case <-ctx.Done():
				return
			}
		}
	}()

	every := max(1, n/10)
	var consumed []int
	for len(consumed) < n {
		select {
		case v := <-proc:
			consumed = append(consumed, v)
			if len(consumed)%every == 0 {
				fmt.Printf("dqueue: consumed %d/%d items\n", len(consumed), n)
			}
		case err := <-errs:
			t.Fatalf("an archetype stopped after %d of %d items: %v", len(consumed), n, err)
		}
	}
	// The producer stops once its stream is dry; anything the consumer outputs after that is an extra item.
	select {
	case v := <-proc:
		consumed = append(consumed, v)
	case err := <-errs:
		if !errors.Is(err, ErrStreamClosed) {
			t.Fatalf("the producer stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the producer did not stop after its stream ran dry")
	}
	cancel()
	wg.Wait()
	return consumed
}

// firstMismatch is the first index at which consumed differs from 1..n (len(consumed) when it is a proper
// prefix), or -1 when consumed is exactly 1..n.
func firstMismatch(consumed []int, n int) int {
	for i := range consumed {
		if i >= n || consumed[i] != i+1 {
			return i
		}
	}
	if len(consumed) != n {
		return len(consumed)
	}
	return -1
}

// The verdict of TestProducerConsumer must fail on every way a queue can break.
func TestFirstMismatch(t *testing.T) {
	cases := []struct {
		name     string
		consumed []int
		want     int
	}{
		{"exact", []int{1, 2, 3}, -1},
		{"lost", []int{1, 3}, 1},
		{"duplicated", []int{1, 2, 2, 3}, 2},
		{"reordered", []int{2, 1, 3}, 0},
		{"missing tail", []int{1, 2}, 2},
		{"extra", []int{1, 2, 3, 4}, 3},
		{"nothing", nil, 0},
	}
	for _, c := range cases {
		if got := firstMismatch(c.consumed, 3); got != c.want {
			t.Errorf("%s: firstMismatch(%v, 3) = %d, want %d", c.name, c.consumed, got, c.want)
		}
	}
}

func head(xs []int, k int) []int { return xs[:min(k, len(xs))] }
