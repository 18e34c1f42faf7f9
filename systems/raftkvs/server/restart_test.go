package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pgoharness.local/raftkvs/client"
	"pgoharness.local/raftkvs/server"
)

// TestLeaderRestartContinuesTraces stops the leader half-way through a short workload (as a kill: nothing more
// is written) and starts it again from its persisted state in the same trace directory: every operation
// completes, and each of the restarted server's five instances has a second trace file (its next incarnation)
// whose clock counts on. RAFTKVS_KEEP_TRACES=<dir> keeps the traces (testdata/tracelink/ours/raftkvs/restart).
func TestLeaderRestartContinuesTraces(t *testing.T) {
	cfg := localConfig(t)
	cfg.NumClients = 1
	traces := os.Getenv("RAFTKVS_KEEP_TRACES")
	if traces == "" {
		traces = t.TempDir()
	}
	data := t.TempDir()
	leaders := make(chan string, 100)
	type running struct {
		s      *server.Server
		cancel context.CancelFunc
		done   chan error
	}
	servers := map[int]running{}
	start := func(id int) {
		s, err := server.New(cfg, id, server.Options{TraceDir: traces, DataDir: filepath.Join(data, fmt.Sprint(id)), Out: leaderWriter{leaders}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		r := running{s, cancel, make(chan error, 1)}
		servers[id] = r
		go func() { r.done <- s.Run(ctx) }()
	}
	stop := func(id int) {
		r := servers[id]
		r.cancel()
		if err := <-r.done; err != nil {
			t.Errorf("server %d: %v", id, err)
		}
		r.s.Close()
		delete(servers, id)
	}
	defer func() {
		for id := range servers {
			stop(id)
		}
	}()
	for id := 1; id <= 3; id++ {
		start(id)
	}
	var leader int
	select {
	case line := <-leaders:
		fmt.Sscanf(line, "raftkvs: server %d became leader in term", &leader)
	case <-time.After(5 * time.Second):
		t.Fatal("no leader within 5s")
	}
	c, err := client.New(cfg, 1, client.Options{TraceDir: traces, GiveUp: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const ops = 6
	for i := range ops {
		if i == ops/2 {
			stop(leader)
			time.Sleep(400 * time.Millisecond) // a new leader is elected meanwhile
			start(leader)
		}
		if _, err := c.Do(context.Background(), "put", fmt.Sprint(i%2), fmt.Sprint(i)); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // the restarted server catches up
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for id := range servers {
		stop(id)
	}
	for k := range 5 {
		self := k*cfg.NumServers + leader
		files, _ := filepath.Glob(filepath.Join(traces, fmt.Sprintf("trace-%d-*.log", self)))
		if len(files) != 2 {
			t.Fatalf("self %d (restarted server %d): %d trace files, want 2 (one per incarnation)", self, leader, len(files))
		}
	}
}
