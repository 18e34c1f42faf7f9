// Package server runs one raftkvs server: the Raft core driven by a tick timer and its TCP mailbox, traced as
// PGo's raftkvs archetypes (AServer, AServerRequestVote, AServerAppendEntries, AServerAdvanceCommitIndex,
// AServerBecomeLeader), with Antithesis assertions on Raft's safety properties.
package server

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/antithesishq/antithesis-sdk-go/assert"
	"github.com/antithesishq/antithesis-sdk-go/random"

	"pgoharness.local/raftkvs/config"
	"pgoharness.local/raftkvs/raft"
	"pgoharness.local/raftkvs/wire"
	"pgoharness.local/support/tlink"
)

// Tick is the Raft core's unit of time.
const Tick = 5 * time.Millisecond

// Archetype numbering as in PGo's raftkvs: archetype k of server i has self k*N+i; client c has self 6N+c.
const (
	kServer = iota
	kRequestVote
	kAppendEntries
	kAdvanceCommitIndex
	kBecomeLeader
	archetypesPerServer = 6 // PGo's sixth (AServerCrasher) has no counterpart here
)

// ClientSelf is the mailbox id and trace self of client c in a cluster of n servers.
func ClientSelf(numServers, c int) int { return archetypesPerServer*numServers + c }

// Resolver maps mailbox ids (servers 1..N, clients ClientSelf(N, c)) to addresses from the config.
func Resolver(c config.Root) func(int) (string, bool) {
	return func(id int) (string, bool) {
		if s, ok := c.Servers[id]; ok && id <= c.NumServers {
			return s.MailboxAddr, true
		}
		if cl, ok := c.Clients[id-archetypesPerServer*c.NumServers]; ok {
			return cl.MailboxAddr, true
		}
		return "", false
	}
}

// Timing derives the core's tick counts from the config. Heartbeats go out at the larger of
// appendEntriesSendInterval and a third of the election timeout (new entries are sent at once anyway).
func Timing(c config.Root) (election, jitter, heartbeat int) {
	election = max(2, int(c.LeaderElection.Timeout/Tick))
	jitter = int(c.LeaderElection.TimeoutOffset / Tick)
	hb := max(c.AppendEntriesSendInterval, c.LeaderElection.Timeout/3)
	heartbeat = min(max(1, int(hb/Tick)), election-1)
	return
}

type Server struct {
	id     int
	cfg    config.Root
	node   *raft.Node
	mb     *wire.Mailbox
	out    io.Writer // where "became leader" lines go
	logf   func(string, ...any)
	closer []func() error

	tr   [5]*tlink.Tracer
	proc tlink.Clock // everything this process's archetypes have done: they share the server's state
}

// Options for New; zero values mean: trace to $PGO_TRACE_DIR, persist under /tmp/raftkvs/server<id>.
type Options struct {
	TraceDir string
	DataDir  string
	Out      io.Writer
	// PlantedBug is passed to the Raft core (raft.Config.PlantedBug); "" for the correct server.
	PlantedBug string
}

// New starts server id's mailbox and tracing and restores its persisted state.
func New(cfg config.Root, id int, opts Options) (*Server, error) {
	if _, ok := cfg.Servers[id]; !ok || id > cfg.NumServers {
		return nil, fmt.Errorf("srvId %d: not among the config's servers 1..%d", id, cfg.NumServers)
	}
	s := &Server{id: id, cfg: cfg, out: opts.Out, proc: tlink.Clock{}, logf: func(string, ...any) {}}
	if s.out == nil {
		s.out = os.Stdout
	}
	if cfg.Debug {
		s.logf = log.Printf
	}
	fail := func(err error) (*Server, error) { s.Close(); return nil, err }

	var storage raft.Storage
	if cfg.Persist {
		dir := opts.DataDir
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "raftkvs", fmt.Sprintf("server%d", id))
		}
		fs, err := raft.OpenFileStorage(dir)
		if err != nil {
			return fail(err)
		}
		s.closer = append(s.closer, fs.Close)
		storage = fs
	}
	peers := make([]int, 0, cfg.NumServers)
	for i := 1; i <= cfg.NumServers; i++ {
		peers = append(peers, i)
	}
	election, jitter, hb := Timing(cfg)
	node, err := raft.NewNode(raft.Config{ID: id, Peers: peers, ElectionTicks: election, ElectionJitter: jitter,
		HeartbeatTicks: hb, Rand: func(n int) int { return int(random.GetRandom() % uint64(n)) },
		Storage: storage, Observer: &observer{s: s}, PlantedBug: opts.PlantedBug})
	if err != nil {
		return fail(err)
	}
	s.node = node

	names := [5]string{"AServer", "AServerRequestVote", "AServerAppendEntries", "AServerAdvanceCommitIndex", "AServerBecomeLeader"}
	loops := [5]string{"serverLoop", "serverRequestVoteLoop", "serverAppendEntriesLoop", "serverAdvanceCommitIndexLoop", "serverBecomeLeaderLoop"}
	for k := range names {
		t, err := tlink.Open(opts.TraceDir, names[k], tlink.Int(k*cfg.NumServers+id), names[k]+"."+loops[k])
		if err != nil {
			return fail(err)
		}
		s.tr[k] = t
		if t != nil {
			s.closer = append(s.closer, t.Close)
		}
	}
	// A restarted server's archetypes die and start together (one restart of the node): each one's first section
	// of the new incarnation merges where all five earlier incarnations ended, so none comes before their end.
	for _, t := range s.tr {
		s.proc.Merge(t.Clock())
	}

	mb, err := wire.Listen(cfg.Servers[id].MailboxAddr, wire.Options{QueueSize: cfg.Mailboxes.ReceiveChanSize,
		DialTimeout: cfg.Mailboxes.DialTimeout, WriteTimeout: cfg.Mailboxes.WriteTimeout, Resolve: Resolver(cfg), Logf: s.logf})
	if err != nil {
		return fail(err)
	}
	s.mb = mb
	return s, nil
}

// Node exposes the core (for tests).
func (s *Server) Node() *raft.Node { return s.node }

// Close stops the mailbox and closes traces and storage.
func (s *Server) Close() {
	if s.mb != nil {
		s.mb.Close()
	}
	for _, c := range s.closer {
		if err := c(); err != nil {
			log.Printf("raftkvs: server %d: closing: %v", s.id, err)
		}
	}
	s.closer = nil
}

// Run serves until ctx ends. It returns an error only when the core fails (storage errors).
func (s *Server) Run(ctx context.Context) error {
	ticker := time.NewTicker(Tick)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case env := <-s.mb.In:
			if err := s.handle(env); err != nil {
				return err
			}
		case <-ticker.C:
			if err := s.tick(); err != nil {
				return err
			}
		}
	}
}

func (s *Server) srv() []string { return []string{tlink.Int(s.id)} }

// begin opens a section of archetype k; every section merges the process clock because the archetypes of one
// server share its state (the Raft core), and they run one at a time.
func (s *Server) begin(k int, merge ...tlink.Clock) *tlink.Section {
	return s.tr[k].Begin(append(merge, s.proc)...)
}

// commit ends the section, then sends what it wrote to the network: a message must not leave before the
// section that sent it is in the trace, or a crash in between (the leader-kill test SIGKILLs servers) leaves
// receivers whose clocks depend on a section no trace records.
func (s *Server) commit(sec *tlink.Section, next string, out ...outgoing) {
	if sec != nil {
		s.proc.Merge(sec.Clock())
		if err := sec.Commit(next); err != nil {
			log.Printf("raftkvs: server %d: writing trace: %v", s.id, err)
		}
	}
	for _, o := range out {
		s.mb.Send(o.dest, o.env)
	}
}

// outgoing is a message written in a section, sent when the section commits.
type outgoing struct {
	dest int
	env  wire.Envelope
}

// send records the section's writes of ms to the network; commit sends them.
func (s *Server) send(sec *tlink.Section, ms []raft.Message) []outgoing {
	clock := sec.Clock()
	var entries []tlink.Entry
	if clock != nil {
		entries = clock.Entries()
	}
	out := make([]outgoing, 0, len(ms))
	for _, m := range ms {
		sec.Send("net", []string{tlink.Int(m.Dest)}, wire.MsgValue(m))
		out = append(out, outgoing{m.Dest, wire.Envelope{Clock: entries, Msg: m}})
	}
	return out
}

// snapshot is the shared state a section may change, as raftkvs.tla names it; a change is recorded as a read of
// the old value then a write of the new one (the spec starts from the core's initial values).
type snapshot struct {
	term, votedFor, commit, applied int
	state                           raft.State
	votes                           string
	next, match                     []int // per server 1..N
}

func (s *Server) snap() snapshot {
	n := s.node
	vs := n.Votes()
	votes := make([]string, len(vs))
	for i, v := range vs {
		votes[i] = tlink.Int(v)
	}
	sn := snapshot{term: n.Term(), votedFor: n.VotedFor(), commit: n.CommitIndex(), applied: n.LastApplied(),
		state: n.State(), votes: tlink.Set(votes...)}
	for p := 1; p <= s.cfg.NumServers; p++ {
		sn.next = append(sn.next, n.NextIndex(p))
		sn.match = append(sn.match, n.MatchIndex(p))
	}
	return sn
}

func (s *Server) pair(p int) []string { return []string{tlink.Int(s.id), tlink.Int(p)} }

// recordChanges records what changed since b. nextIndex, matchIndex and log are written without their old value:
// the core has none for nextIndex before the server first leads, and log is written through the spec's
// LogWrites macro as [from |-> k, entries |-> <<the entries from k on>>].
func (s *Server) recordChanges(sec *tlink.Section, b snapshot) {
	a := s.snap()
	if a.state != b.state {
		sec.ReadWrite("state", s.srv(), tlink.Str(string(b.state)), tlink.Str(string(a.state)))
	}
	if a.term != b.term {
		sec.ReadWrite("currentTerm", s.srv(), tlink.Int(b.term), tlink.Int(a.term))
	}
	if a.votedFor != b.votedFor {
		sec.ReadWrite("votedFor", s.srv(), tlink.Int(b.votedFor), tlink.Int(a.votedFor))
	}
	if a.votes != b.votes {
		sec.ReadWrite("votesGranted", s.srv(), b.votes, a.votes)
	}
	if from := s.node.TakeLogChange(); from > 0 {
		es := make([]string, 0, s.node.LogLen()-from+1)
		for i := from; i <= s.node.LogLen(); i++ {
			es = append(es, wire.EntryValue(s.node.Entry(i)))
		}
		sec.Send("log", s.srv(), tlink.Record(tlink.Field{K: "from", V: tlink.Int(from)}, tlink.Field{K: "entries", V: tlink.Tuple(es...)}))
	}
	if a.commit != b.commit {
		sec.ReadWrite("commitIndex", s.srv(), tlink.Int(b.commit), tlink.Int(a.commit))
	}
	if a.applied != b.applied {
		sec.ReadWrite("lastApplied", s.srv(), tlink.Int(b.applied), tlink.Int(a.applied))
	}
	for p := 1; p <= s.cfg.NumServers; p++ {
		if a.next[p-1] != b.next[p-1] {
			sec.Send("nextIndex", s.pair(p), tlink.Int(a.next[p-1]))
		}
		if a.match[p-1] != b.match[p-1] {
			sec.Send("matchIndex", s.pair(p), tlink.Int(a.match[p-1]))
		}
	}
}

// handle is AServer: take a message from the mailbox (serverLoop), then handle it (handleMsg).
func (s *Server) handle(env wire.Envelope) error {
	m := env.Msg
	mv := wire.MsgValue(m)
	sec := s.begin(kServer, tlink.FromEntries(env.Clock))
	sec.Read("net", s.srv(), mv)
	sec.Write("m", nil, mv)
	s.commit(sec, "AServer.handleMsg")

	sec = s.begin(kServer)
	sec.Read("m", nil, mv)
	sec.Read("currentTerm", s.srv(), tlink.Int(s.node.Term()))
	sec.Read("state", s.srv(), tlink.Str(string(s.node.State())))
	before := s.snap()
	replies, err := s.node.Step(m)
	if err != nil {
		return err
	}
	s.recordChanges(sec, before)
	s.commit(sec, "AServer.serverLoop", s.send(sec, replies)...)
	return s.followUp()
}

// tick advances the core; an election timeout is AServerRequestVote, a heartbeat AServerAppendEntries.
func (s *Server) tick() error {
	campaign, heartbeat := s.node.Tick()
	if campaign {
		sec := s.begin(kRequestVote)
		before := s.snap()
		msgs, err := s.node.Campaign()
		if err != nil {
			return err
		}
		s.recordChanges(sec, before)
		s.commit(sec, "AServerRequestVote.serverRequestVoteLoop", s.send(sec, msgs)...)
		s.logf("server %d: election timeout, campaigning in term %d", s.id, s.node.Term())
	}
	if heartbeat {
		s.appendEntries()
	}
	return s.followUp()
}

func (s *Server) appendEntries() {
	sec := s.begin(kAppendEntries)
	sec.Read("state", s.srv(), tlink.Str(string(s.node.State())))
	s.commit(sec, "AServerAppendEntries.serverAppendEntriesLoop", s.send(sec, s.node.BroadcastAppend())...)
}

// followUp runs what a step may have enabled: becoming leader, sending new entries, committing.
func (s *Server) followUp() error {
	if s.node.Elected() {
		sec := s.begin(kBecomeLeader)
		votes := s.node.Votes()
		vs := make([]string, len(votes))
		for i, v := range votes {
			vs[i] = tlink.Int(v)
		}
		sec.Read("votesGranted", s.srv(), tlink.Set(vs...))
		before := s.snap()
		s.node.BecomeLeader()
		// Every nextIndex and matchIndex of this leader is set, changed or not.
		before.next, before.match = make([]int, s.cfg.NumServers), make([]int, s.cfg.NumServers)
		for i := range before.next {
			before.next[i], before.match[i] = -1, -1
		}
		s.recordChanges(sec, before)
		s.commit(sec, "AServerBecomeLeader.serverBecomeLeaderLoop")
		// The harness waits for this line to find the leader.
		fmt.Fprintf(s.out, "raftkvs: server %d became leader in term %d\n", s.id, s.node.Term())
	}
	if s.node.AppendPending() {
		s.appendEntries()
	}
	if s.node.CommitTarget() > s.node.CommitIndex() || s.node.LastApplied() < s.node.CommitIndex() {
		sec := s.begin(kAdvanceCommitIndex)
		sec.Read("state", s.srv(), tlink.Str(string(s.node.State())))
		before := s.snap()
		applied := s.node.AdvanceCommit()
		s.recordChanges(sec, before)
		var replies []raft.Message
		for _, a := range applied {
			if a.Reply != nil {
				replies = append(replies, *a.Reply)
			}
		}
		s.commit(sec, "AServerAdvanceCommitIndex.serverAdvanceCommitIndexLoop", s.send(sec, replies)...)
	}
	return nil
}

// observer turns the core's events into Antithesis assertions.
type observer struct{ s *Server }

func (o *observer) Check(prop string, ok bool, details map[string]any) {
	// One literal message per property: the instrumentor catalogs each call site by its message, so every
	// property is its own entry (and its own test locally), evaluated or not.
	switch prop {
	case raft.PropOneLeaderPerTerm:
		assert.Always(ok, "raftkvs: at most one leader per term", details)
	case raft.PropCommittedNeverChange:
		assert.Always(ok, "raftkvs: a committed entry never changes", details)
	default:
		// Never reached while the core checks only the two above: AlwaysOrUnreachable, so that is no failure.
		assert.AlwaysOrUnreachable(ok, "raftkvs: any other safety property the core checks holds", map[string]any{"property": prop, "details": details})
	}
	if !ok {
		log.Printf("raftkvs: server %d: SAFETY VIOLATION: %s: %v", o.s.id, prop, details)
	}
}

func (o *observer) BecameLeader(id, term int) {
	assert.Sometimes(true, "raftkvs: a leader is elected", map[string]any{"server": id, "term": term})
}

func (o *observer) Committed(id, index, term int) {
	assert.Sometimes(true, "raftkvs: an entry is committed", map[string]any{"server": id, "index": index, "term": term})
}

func (o *observer) LeaderChanged(id, oldLeader, newLeader, term int) {
	assert.Sometimes(true, "raftkvs: the leader changes", map[string]any{"server": id, "old": oldLeader, "new": newLeader, "term": term})
}
