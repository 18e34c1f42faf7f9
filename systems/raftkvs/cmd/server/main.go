// raftkvs-server: one Raft key-value server. Usage: raftkvs-server -c <config.yaml> -srvId <n>.
// Traces go to $PGO_TRACE_DIR when set; persisted state (persist: true) to $RAFTKVS_DATA_DIR, by default
// /tmp/raftkvs/server<n>. RAFTKVS_PLANTED_BUG=minority-commit plants a bug for testing the tests (see
// raft/planted_bug.go); unset, the server is correct. Prints "raftkvs: server <n> became leader in term <t>" each time it becomes leader.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"pgoharness.local/raftkvs/config"
	"pgoharness.local/raftkvs/server"
)

func main() {
	os.Exit(run())
}

func run() int {
	srvID := flag.Int("srvId", -1, "server id (1..numServers)")
	configPath := flag.String("c", "", "config file (YAML)")
	flag.Parse()
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "raftkvs-server: -c <config.yaml> is required")
		return 2
	}
	if *srvID < 1 {
		fmt.Fprintln(os.Stderr, "raftkvs-server: -srvId <n> is required (a server id from the config)")
		return 2
	}
	cfg, err := config.Read(*configPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-server: %v\n", err)
		return 2
	}
	s, err := server.New(cfg, *srvID, server.Options{TraceDir: os.Getenv("PGO_TRACE_DIR"), DataDir: os.Getenv("RAFTKVS_DATA_DIR"),
		PlantedBug: os.Getenv("RAFTKVS_PLANTED_BUG")})
	if err != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-server: %v\n", err)
		return 1
	}
	defer s.Close()
	// SIGTERM/SIGINT end the run at once (containers must stop promptly).
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := s.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-server: server %d: %v\n", *srvID, err)
		return 1
	}
	return 0
}
