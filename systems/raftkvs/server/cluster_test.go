package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pgoharness.local/raftkvs/client"
	"pgoharness.local/raftkvs/config"
	"pgoharness.local/raftkvs/raft"
	"pgoharness.local/raftkvs/server"
	"pgoharness.local/support/tlink"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func localConfig(t *testing.T) config.Root {
	c := config.Root{NumServers: 3, NumClients: 1, Persist: true, ClientRequestTimeout: 300 * time.Millisecond,
		AppendEntriesSendInterval: 5 * time.Millisecond, Servers: map[int]config.Server{}, Clients: map[int]config.Client{}}
	c.Mailboxes = config.Mailboxes{ReceiveChanSize: 1000, DialTimeout: 50 * time.Millisecond, WriteTimeout: 50 * time.Millisecond}
	c.LeaderElection = config.LeaderElection{Timeout: 150 * time.Millisecond, TimeoutOffset: 150 * time.Millisecond}
	for i := 1; i <= 3; i++ {
		c.Servers[i] = config.Server{MailboxAddr: freeAddr(t)}
	}
	c.Clients[1] = config.Client{MailboxAddr: freeAddr(t)}
	return c
}

// leaderWriter collects the "became leader" lines a server prints.
type leaderWriter struct{ ch chan string }

func (w leaderWriter) Write(b []byte) (int, error) {
	w.ch <- strings.TrimSpace(string(b))
	return len(b), nil
}

// testCluster runs one test's servers over loopback, each with its own data directory (kept across a restart),
// and stops whatever still runs when the test ends.
type testCluster struct {
	t       *testing.T
	cfg     config.Root
	traces  string
	data    string
	leaders chan string
	running map[int]runningServer
}

type runningServer struct {
	s      *server.Server
	cancel context.CancelFunc
	done   chan error
}

func newTestCluster(t *testing.T, cfg config.Root, traces string) *testCluster {
	c := &testCluster{t: t, cfg: cfg, traces: traces, data: t.TempDir(), leaders: make(chan string, 100), running: map[int]runningServer{}}
	t.Cleanup(c.stopAll)
	return c
}

func (c *testCluster) start(id int) {
	s, err := server.New(c.cfg, id, server.Options{TraceDir: c.traces, DataDir: filepath.Join(c.data, fmt.Sprint(id)), Out: leaderWriter{c.leaders}})
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := runningServer{s, cancel, make(chan error, 1)}
	c.running[id] = r
	go func() { r.done <- s.Run(ctx) }()
}

func (c *testCluster) stop(id int) {
	r := c.running[id]
	r.cancel()
	if err := <-r.done; err != nil {
		c.t.Errorf("server %d: %v", id, err)
	}
	r.s.Close()
	delete(c.running, id)
}

func (c *testCluster) stopAll() {
	for id := range c.running {
		c.stop(id)
	}
}

// waitLeader returns the first server that says it became leader.
func (c *testCluster) waitLeader() int {
	c.t.Helper()
	select {
	case line := <-c.leaders:
		var id int
		if _, err := fmt.Sscanf(line, "raftkvs: server %d became leader in term", &id); err != nil {
			c.t.Fatalf("unexpected leader line %q", line)
		}
		return id
	case <-time.After(5 * time.Second):
		c.t.Fatal("no leader within 5s")
	}
	return 0
}

// TestClusterSurvivesLeaderCrash runs three servers and a client over loopback TCP with tracing on, stops the
// leader half-way through the workload, and checks that every operation completed, a new leader took over,
// and the traces keep TraceLink's per-file rules and record the client's requests and responses.
func TestClusterSurvivesLeaderCrash(t *testing.T) {
	cfg := localConfig(t)
	traces := t.TempDir()
	cluster := newTestCluster(t, cfg, traces)
	for id := 1; id <= 3; id++ {
		cluster.start(id)
	}
	first := cluster.waitLeader()

	c, err := client.New(cfg, 1, client.Options{TraceDir: traces, GiveUp: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	const ops = 40
	want := map[string]string{}
	for i := range ops {
		if i == ops/2 {
			cluster.stop(first)
		}
		key := fmt.Sprint((i / 2) % 4) // each get reads the key the put before it wrote
		var resp raft.Response
		if i%2 == 0 {
			resp, err = c.Do(context.Background(), "put", key, fmt.Sprint(i))
			want[key] = fmt.Sprint(i)
		} else {
			resp, err = c.Do(context.Background(), "get", key, "")
			if err == nil && (!resp.OK || resp.Value != want[key]) {
				t.Fatalf("op %d: get %s = %+v, want %q (single client, so reads see its last write)", i, key, resp, want[key])
			}
		}
		if err != nil {
			t.Fatalf("op %d: %v", i, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	var newLeader bool
	for len(cluster.leaders) > 0 {
		var id, term int
		fmt.Sscanf(<-cluster.leaders, "raftkvs: server %d became leader in term %d", &id, &term)
		newLeader = newLeader || id != first
	}
	if !newLeader {
		t.Fatalf("no server other than %d became leader after it stopped", first)
	}
	cluster.stopAll()

	files, _ := filepath.Glob(filepath.Join(traces, "trace-*.log"))
	if len(files) != 3*5+1 {
		t.Fatalf("%d trace files, want 16 (5 archetypes x 3 servers + 1 client)", len(files))
	}
	clientSelf := fmt.Sprint(server.ClientSelf(3, 1))
	var reqReads, respWrites int
	for _, f := range files {
		self := strings.SplitN(filepath.Base(f), "-", 3)[1]
		checkTraceFile(t, f, self, func(e tlink.Element) {
			if self == clientSelf && e.Name.Name == "reqCh" && e.Tag == "read" {
				reqReads++
			}
			if self == clientSelf && e.Name.Name == "respCh" && e.Tag == "write" {
				respWrites++
			}
		})
	}
	if reqReads != ops || respWrites != ops {
		t.Fatalf("client trace has %d reqCh reads and %d respCh writes, want %d each", reqReads, respWrites, ops)
	}
}

// checkTraceFile checks the per-file TraceLink rules: self matches the name, the own clock entry equals the line
// number, each section starts by reading the .pc the previous one wrote.
func checkTraceFile(t *testing.T, path, self string, each func(tlink.Element)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	pc := ""
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var rec tlink.Line
		if err := json.Unmarshal(b, &rec); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		own := tlink.FromEntries(rec.Clock)[tlink.Instance{Archetype: rec.ArchetypeName, Self: rec.Self}]
		if rec.Self != self || own != line {
			t.Fatalf("%s:%d: self %s, own clock %d", path, line, rec.Self, own)
		}
		els := rec.CSElements
		if len(els) < 2 || els[0].Name.Name != ".pc" || els[0].Tag != "read" || (pc != "" && els[0].Value != pc) {
			t.Fatalf("%s:%d: section does not start by reading .pc %s", path, line, pc)
		}
		last := els[len(els)-1]
		if last.Name.Name != ".pc" || last.Tag != "write" {
			t.Fatalf("%s:%d: section does not end by writing .pc", path, line)
		}
		pc = last.Value
		for _, e := range els {
			each(e)
		}
	}
}
