package raft

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// recorder is an Observer that keeps what it was told.
type recorder struct {
	violations []string
	leaders    map[int]int // term -> leader, across the whole cluster
	multi      []string    // terms with two leaders, seen globally
	commits    int
	changes    int
}

func (r *recorder) Check(p string, ok bool, d map[string]any) {
	if !ok {
		r.violations = append(r.violations, fmt.Sprintf("%s: %v", p, d))
	}
}
func (r *recorder) BecameLeader(id, term int) {
	if prev, ok := r.leaders[term]; ok && prev != id {
		r.multi = append(r.multi, fmt.Sprintf("term %d: %d and %d", term, prev, id))
	}
	r.leaders[term] = id
}
func (r *recorder) Committed(id, index, term int)          { r.commits++ }
func (r *recorder) LeaderChanged(id, oldL, newL, term int) { r.changes++ }

// cluster drives nodes the way cmd/server does, over an in-memory network that can be partitioned.
type cluster struct {
	t       *testing.T
	nodes   map[int]*Node
	stores  map[int]*MemStorage
	queue   []Message
	cut     map[int]bool // servers cut off from everyone else
	down    map[int]bool
	replies map[int][]Message // client id -> replies received
	obs     *recorder
	rng     *rand.Rand
}

const clientID = 100

func newCluster(t *testing.T, n int, seed int64) *cluster {
	c := &cluster{t: t, nodes: map[int]*Node{}, stores: map[int]*MemStorage{}, cut: map[int]bool{}, down: map[int]bool{},
		replies: map[int][]Message{}, obs: &recorder{leaders: map[int]int{}}, rng: rand.New(rand.NewSource(seed))}
	for id := 1; id <= n; id++ {
		c.stores[id] = &MemStorage{}
	}
	for id := 1; id <= n; id++ {
		c.start(id)
	}
	return c
}

func (c *cluster) peers() []int {
	var p []int
	for id := 1; id <= len(c.stores); id++ {
		p = append(p, id)
	}
	return p
}

func (c *cluster) start(id int) {
	node, err := NewNode(Config{ID: id, Peers: c.peers(), ElectionTicks: 10, ElectionJitter: 10, HeartbeatTicks: 3,
		Rand: c.rng.Intn, Storage: c.stores[id], Observer: c.obs})
	if err != nil {
		c.t.Fatal(err)
	}
	c.nodes[id] = node
	c.down[id] = false
}

func (c *cluster) send(ms []Message, err error) {
	if err != nil {
		c.t.Fatal(err)
	}
	c.queue = append(c.queue, ms...)
}

// after runs the follow-up steps a server takes after any event.
func (c *cluster) after(n *Node) {
	if n.Elected() {
		n.BecomeLeader()
	}
	if n.AppendPending() {
		c.send(n.BroadcastAppend(), nil)
	}
	for _, a := range n.AdvanceCommit() {
		if a.Reply != nil {
			c.queue = append(c.queue, *a.Reply)
		}
	}
}

func (c *cluster) connected(a, b int) bool {
	if a == clientID || b == clientID {
		return true
	}
	return c.cut[a] == c.cut[b]
}

// step runs one tick on every live server and then delivers every queued message.
func (c *cluster) step() {
	for id := 1; id <= len(c.stores); id++ {
		n := c.nodes[id]
		if c.down[id] {
			continue
		}
		campaign, heartbeat := n.Tick()
		if campaign {
			c.send(n.Campaign())
		}
		if heartbeat {
			c.send(n.BroadcastAppend(), nil)
		}
		c.after(n)
	}
	for len(c.queue) > 0 {
		m := c.queue[0]
		c.queue = c.queue[1:]
		if m.Dest >= clientID {
			c.replies[m.Dest] = append(c.replies[m.Dest], m)
			continue
		}
		if c.down[m.Dest] || !c.connected(m.Source, m.Dest) {
			continue
		}
		n := c.nodes[m.Dest]
		c.send(n.Step(m))
		c.after(n)
	}
}

func (c *cluster) run(ticks int) {
	for range ticks {
		c.step()
	}
}

func (c *cluster) leaders() []int {
	var ls []int
	for id, n := range c.nodes {
		if !c.down[id] && n.State() == Leader {
			ls = append(ls, id)
		}
	}
	return ls
}

// waitLeader runs until exactly one live, connected server leads, and returns it.
func (c *cluster) waitLeader(among func(int) bool) int {
	for range 500 {
		c.step()
		var ls []int
		for _, l := range c.leaders() {
			if among(l) {
				ls = append(ls, l)
			}
		}
		if len(ls) == 1 {
			return ls[0]
		}
	}
	c.t.Fatalf("no single leader after 500 ticks")
	return 0
}

func anyServer(int) bool { return true }

// request sends a client command to server to and runs until a reply for idx arrives (or ticks run out).
func (c *cluster) request(to int, cmd Command, ticks int) (Message, bool) {
	typ := ClientPutRequest
	if cmd.Type == "get" {
		typ = ClientGetRequest
	}
	c.queue = append(c.queue, Message{Type: typ, Source: clientID, Dest: to, Cmd: &cmd})
	for range ticks {
		c.step()
		for _, r := range c.replies[clientID] {
			if r.Response != nil && r.Response.Idx == cmd.Idx {
				c.replies[clientID] = nil
				return r, true
			}
		}
	}
	return Message{}, false
}

func (c *cluster) noViolations() {
	c.t.Helper()
	if len(c.obs.violations) > 0 || len(c.obs.multi) > 0 {
		c.t.Fatalf("safety violated: %v %v", c.obs.violations, c.obs.multi)
	}
}

func TestElectsOneLeader(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		c := newCluster(t, 3, seed)
		l := c.waitLeader(anyServer)
		c.run(50)
		if ls := c.leaders(); len(ls) != 1 || ls[0] != l {
			t.Fatalf("seed %d: leader %d elected, but after 50 more ticks leaders are %v", seed, l, ls)
		}
		for id, n := range c.nodes {
			if n.Term() != c.nodes[l].Term() || n.Leader() != l {
				t.Fatalf("seed %d: server %d has term %d leader %d; leader %d has term %d", seed, id, n.Term(), n.Leader(), l, c.nodes[l].Term())
			}
		}
		c.noViolations()
	}
}

func TestReplicatesAndApplies(t *testing.T) {
	c := newCluster(t, 3, 7)
	l := c.waitLeader(anyServer)
	r, ok := c.request(l, Command{Idx: 1, Type: "put", Key: "k", Value: "v1"}, 20)
	if !ok || !r.Success || !r.Response.OK || r.Type != ClientPutResponse {
		t.Fatalf("put not acknowledged: %+v %v", r, ok)
	}
	r, ok = c.request(l, Command{Idx: 2, Type: "get", Key: "k"}, 20)
	if !ok || r.Response.Value != "v1" || !r.Response.OK {
		t.Fatalf("get k = %+v, want v1", r.Response)
	}
	r, ok = c.request(l, Command{Idx: 3, Type: "get", Key: "missing"}, 20)
	if !ok || r.Response.OK {
		t.Fatalf("get missing = %+v, want not OK", r.Response)
	}
	c.run(10) // followers learn the commit index from the next heartbeat
	for id, n := range c.nodes {
		if n.LogLen() != 3 || n.LastApplied() != 3 || n.KV()["k"] != "v1" {
			t.Fatalf("server %d: log %d applied %d kv %v", id, n.LogLen(), n.LastApplied(), n.KV())
		}
	}
	c.noViolations()
}

func TestFollowerRedirectsClient(t *testing.T) {
	c := newCluster(t, 3, 3)
	l := c.waitLeader(anyServer)
	f := l%3 + 1
	r, ok := c.request(f, Command{Idx: 1, Type: "put", Key: "k", Value: "v"}, 5)
	if !ok || r.Success || r.LeaderHint != l {
		t.Fatalf("follower %d answered %+v, want failure with leader hint %d", f, r, l)
	}
}

func TestPartitionedMinorityCannotCommit(t *testing.T) {
	c := newCluster(t, 5, 11)
	old := c.waitLeader(anyServer)
	if _, ok := c.request(old, Command{Idx: 1, Type: "put", Key: "a", Value: "1"}, 20); !ok {
		t.Fatal("first put not committed")
	}
	// Cut the leader and one follower off from the other three.
	other := old%5 + 1
	c.cut[old], c.cut[other] = true, true
	commitBefore := c.nodes[old].CommitIndex()
	if _, ok := c.request(old, Command{Idx: 2, Type: "put", Key: "a", Value: "minority"}, 100); ok {
		t.Fatal("a leader cut off with a minority answered a put")
	}
	if c.nodes[old].CommitIndex() != commitBefore || c.nodes[other].CommitIndex() != commitBefore {
		t.Fatalf("minority advanced its commit index from %d to %d/%d", commitBefore, c.nodes[old].CommitIndex(), c.nodes[other].CommitIndex())
	}
	// The majority elects its own leader and commits.
	nl := c.waitLeader(func(id int) bool { return !c.cut[id] })
	if c.nodes[nl].Term() <= c.nodes[old].Term() {
		t.Fatalf("new leader %d in term %d, not after old leader's term %d", nl, c.nodes[nl].Term(), c.nodes[old].Term())
	}
	if r, ok := c.request(nl, Command{Idx: 3, Type: "put", Key: "a", Value: "majority"}, 50); !ok || !r.Success {
		t.Fatalf("majority leader %d did not commit: %+v", nl, r)
	}
	// Heal: the old leader steps down and its uncommitted entry is replaced.
	c.cut = map[int]bool{}
	c.run(60)
	if ls := c.leaders(); len(ls) != 1 {
		t.Fatalf("after healing, leaders are %v", ls)
	}
	for id, n := range c.nodes {
		if n.KV()["a"] != "majority" {
			t.Fatalf("server %d has a=%q after healing, want majority", id, n.KV()["a"])
		}
		for _, e := range n.Log() {
			if e.Cmd.Value == "minority" {
				t.Fatalf("server %d still has the minority's entry in its log", id)
			}
		}
	}
	c.noViolations()
}

func TestLeaderChangeAfterCrash(t *testing.T) {
	c := newCluster(t, 3, 5)
	old := c.waitLeader(anyServer)
	if _, ok := c.request(old, Command{Idx: 1, Type: "put", Key: "x", Value: "1"}, 20); !ok {
		t.Fatal("put not committed")
	}
	c.down[old] = true
	nl := c.waitLeader(func(id int) bool { return id != old })
	if nl == old {
		t.Fatal("crashed server still leads")
	}
	r, ok := c.request(nl, Command{Idx: 2, Type: "get", Key: "x"}, 30)
	if !ok || r.Response.Value != "1" {
		t.Fatalf("new leader %d lost the committed put: %+v", nl, r.Response)
	}
	if c.obs.changes == 0 {
		t.Fatal("no server observed the leader change")
	}
	c.noViolations()
}

func TestPersistenceAcrossRestart(t *testing.T) {
	c := newCluster(t, 3, 9)
	l := c.waitLeader(anyServer)
	for i := 1; i <= 3; i++ {
		if _, ok := c.request(l, Command{Idx: i, Type: "put", Key: fmt.Sprint(i), Value: "v"}, 20); !ok {
			t.Fatalf("put %d not committed", i)
		}
	}
	term, logLen := c.nodes[l].Term(), c.nodes[l].LogLen()
	// Restart every server from its storage: term, vote and log survive; the state machine is rebuilt.
	for id := 1; id <= 3; id++ {
		c.start(id)
	}
	n := c.nodes[l]
	if n.Term() != term || n.LogLen() != logLen || n.VotedFor() != l {
		t.Fatalf("restarted server %d: term %d log %d vote %d, want term %d log %d vote %d", l, n.Term(), n.LogLen(), n.VotedFor(), term, logLen, l)
	}
	nl := c.waitLeader(anyServer)
	r, ok := c.request(nl, Command{Idx: 4, Type: "get", Key: "2"}, 30)
	if !ok || r.Response.Value != "v" {
		t.Fatalf("after restart get 2 = %+v", r.Response)
	}
	c.noViolations()
}

func TestFileStorageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := func(term int, v string) Entry {
		return Entry{Term: term, Cmd: Command{Type: "put", Key: "k", Value: v}}
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveHardState(HardState{Term: 2, VotedFor: 3}))
	must(s.SaveEntries(1, []Entry{e(1, "a"), e(2, "b"), e(2, "c")}))
	must(s.SaveEntries(2, []Entry{e(3, "d")})) // truncates b and c
	must(s.Close())
	s, err = OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	hs, log, err := s.Load()
	must(err)
	if hs != (HardState{Term: 2, VotedFor: 3}) || len(log) != 2 || log[0].Cmd.Value != "a" || log[1].Cmd.Value != "d" {
		t.Fatalf("reloaded %+v %+v", hs, log)
	}
	if err := s.SaveEntries(4, []Entry{e(3, "x")}); err == nil {
		t.Fatal("SaveEntries past the end was accepted")
	}
}

func TestDuplicateRequestAppliedOnce(t *testing.T) {
	c := newCluster(t, 3, 13)
	l := c.waitLeader(anyServer)
	put := func(client, idx int, v string) Message {
		cmd := Command{Idx: idx, Type: "put", Key: "k", Value: v}
		return Message{Type: ClientPutRequest, Source: client, Dest: l, Cmd: &cmd}
	}
	// Client 100's request is appended twice (a retry while the first copy was in flight), and client 101's
	// put lands between the copies: the retry must not be applied again, and both copies get the first answer.
	c.queue = append(c.queue, put(clientID, 1, "v"), put(clientID+1, 1, "w"), put(clientID, 1, "v"))
	c.run(20)
	if got := c.nodes[l].KV()["k"]; got != "w" {
		t.Fatalf("retried put was applied again: k=%q, want w", got)
	}
	rs := c.replies[clientID]
	if len(rs) != 2 || rs[0].Response.Value != "v" || rs[1].Response.Value != "v" || len(c.replies[clientID+1]) != 1 {
		t.Fatalf("replies: client 100 %+v, client 101 %+v", rs, c.replies[clientID+1])
	}
}

// The safety checks fire when a (faulty) peer breaks them: a second leader for a term, and an AppendEntries
// that would overwrite a committed entry.
func TestSafetyChecksDetectViolations(t *testing.T) {
	obs := &recorder{leaders: map[int]int{}}
	n, err := NewNode(Config{ID: 1, Peers: []int{1, 2, 3}, ElectionTicks: 10, HeartbeatTicks: 3, Rand: func(int) int { return 0 }, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Term: 1, Cmd: Command{Idx: 1, Type: "put", Key: "k", Value: "v"}, Client: 100}
	if _, err := n.Step(Message{Type: AppendEntriesRequest, Source: 2, Dest: 1, Term: 1, Entries: []Entry{e}, CommitIndex: 1}); err != nil {
		t.Fatal(err)
	}
	n.AdvanceCommit()
	if len(obs.violations) != 0 {
		t.Fatalf("violations after a valid AppendEntries: %v", obs.violations)
	}
	// Server 3 also claims term 1 and replaces the committed entry 1.
	e.Term = 2
	if _, err := n.Step(Message{Type: AppendEntriesRequest, Source: 3, Dest: 1, Term: 1, Entries: []Entry{e}}); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(obs.violations)
	if len(obs.violations) != 2 || !strings.Contains(got, PropOneLeaderPerTerm) || !strings.Contains(got, PropCommittedNeverChange) {
		t.Fatalf("want one violation of each property, got %v", obs.violations)
	}
}
