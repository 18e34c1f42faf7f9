// raftkvs-client: runs get/put operations against the cluster.
// Usage: raftkvs-client -c <config.yaml> -clientId <n> [-randomOpCount <k> | -w <file>]
// With -randomOpCount it runs k random operations (GET or PUT over keys and values "1".."10", chosen through
// the Antithesis SDK's random package); otherwise it reads lines "get k" / "put k v" from -w or stdin.
// It prints each operation ("GET k" / "PUT k v") and its result ("k v" or "key not found"), and exits 0 when all
// completed, 1 with a message when it gives up on one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/antithesishq/antithesis-sdk-go/random"

	"pgoharness.local/raftkvs/client"
	"pgoharness.local/raftkvs/config"
	"pgoharness.local/raftkvs/raft"
)

func main() {
	os.Exit(run())
}

type op struct{ typ, key, value string }

func parse(line string) (op, error) {
	w := strings.Fields(line)
	if len(w) == 0 {
		return op{}, fmt.Errorf("empty command")
	}
	switch strings.ToLower(w[0]) {
	case "get":
		if len(w) == 2 {
			return op{"get", w[1], ""}, nil
		}
	case "put":
		if len(w) == 3 {
			return op{"put", w[1], w[2]}, nil
		}
	}
	return op{}, fmt.Errorf("invalid command %q: expected \"get <key>\" or \"put <key> <value>\"", line)
}

func run() int {
	clientID := flag.Int("clientId", -1, "client id (1..numClients)")
	configPath := flag.String("c", "", "config file (YAML)")
	workload := flag.String("w", "", "workload file of get/put lines (stdin if blank)")
	randomOps := flag.Int("randomOpCount", -1, "run this many random operations instead of a workload")
	flag.Parse()
	if *configPath == "" {
		fmt.Fprintln(os.Stderr, "raftkvs-client: -c <config.yaml> is required")
		return 2
	}
	if *clientID < 1 {
		fmt.Fprintln(os.Stderr, "raftkvs-client: -clientId <n> is required (a client id from the config)")
		return 2
	}
	cfg, err := config.Read(*configPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-client: %v\n", err)
		return 2
	}

	var ops func(yield func(op) bool) error
	if *randomOps >= 0 {
		choices := make([]string, 10)
		for i := range choices {
			choices[i] = strconv.Itoa(i + 1)
		}
		ops = func(yield func(op) bool) error {
			for range *randomOps {
				o := op{typ: "get", key: random.RandomChoice(choices)}
				if random.RandomChoice([]bool{false, true}) {
					o = op{typ: "put", key: o.key, value: random.RandomChoice(choices)}
				}
				if !yield(o) {
					return nil
				}
			}
			return nil
		}
	} else {
		var in io.Reader = os.Stdin
		if *workload != "" {
			f, err := os.Open(*workload)
			if err != nil {
				fmt.Fprintf(os.Stderr, "raftkvs-client: %v\n", err)
				return 2
			}
			defer f.Close()
			in = f
		}
		ops = func(yield func(op) bool) error {
			sc := bufio.NewScanner(in)
			for sc.Scan() {
				if strings.TrimSpace(sc.Text()) == "" {
					continue
				}
				o, err := parse(sc.Text())
				if err != nil {
					fmt.Printf("error: %v\n", err)
					continue
				}
				if !yield(o) {
					return nil
				}
			}
			return sc.Err()
		}
	}

	c, err := client.New(cfg, *clientID, client.Options{TraceDir: os.Getenv("PGO_TRACE_DIR")})
	if err != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-client: %v\n", err)
		return 1
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	start := time.Now()
	count := 0
	var failure error
	err = ops(func(o op) bool {
		if o.typ == "put" {
			fmt.Printf("PUT %s %s\n", o.key, o.value)
		} else {
			fmt.Printf("GET %s\n", o.key)
		}
		var resp raft.Response
		resp, failure = c.Do(ctx, o.typ, o.key, o.value)
		if failure != nil {
			return false
		}
		count++
		if resp.OK {
			fmt.Printf("%s %s\n", resp.Key, resp.Value)
		} else {
			fmt.Println("key not found")
		}
		return true
	})
	if failure == nil {
		failure = err
	}
	elapsed := time.Since(start)
	if failure != nil {
		fmt.Fprintf(os.Stderr, "raftkvs-client: client %d: %v (after %d completed operations)\n", *clientID, failure, count)
		return 1
	}
	fmt.Printf("raftkvs: client %d completed %d operations in %.3fs (%.1f ops/s)\n", *clientID, count, elapsed.Seconds(), float64(count)/max(elapsed.Seconds(), 1e-9))
	return 0
}
