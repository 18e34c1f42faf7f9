package server_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pgoharness.local/raftkvs/client"
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
	cluster := newTestCluster(t, cfg, traces)
	for id := 1; id <= 3; id++ {
		cluster.start(id)
	}
	leader := cluster.waitLeader()
	c, err := client.New(cfg, 1, client.Options{TraceDir: traces, GiveUp: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const ops = 6
	for i := range ops {
		if i == ops/2 {
			cluster.stop(leader)
			time.Sleep(400 * time.Millisecond) // a new leader is elected meanwhile
			cluster.start(leader)
		}
		if _, err := c.Do(context.Background(), "put", fmt.Sprint(i%2), fmt.Sprint(i)); err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // the restarted server catches up
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	cluster.stopAll()
	for k := range 5 {
		self := k*cfg.NumServers + leader
		files, _ := filepath.Glob(filepath.Join(traces, fmt.Sprintf("trace-%d-*.log", self)))
		if len(files) != 2 {
			t.Fatalf("self %d (restarted server %d): %d trace files, want 2 (one per incarnation)", self, leader, len(files))
		}
	}
}
