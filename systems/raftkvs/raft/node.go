package raft

import (
	"errors"
	"fmt"
	"slices"
)

// Config configures one server's Raft core. Times are in ticks; the caller decides how long a tick is.
type Config struct {
	ID    int   // this server's id (1-based, as in the config file)
	Peers []int // every server id, this one included
	// ElectionTicks is the minimum election timeout; ElectionJitter adds a random 0..ElectionJitter ticks.
	ElectionTicks  int
	ElectionJitter int
	HeartbeatTicks int
	// Rand returns a uniformly random integer in [0, n); it randomises election timeouts.
	Rand     func(n int) int
	Storage  Storage  // nil: nothing persisted
	Observer Observer // nil: nothing observed
	// PlantedBug switches on a deliberate bug (planted_bug.go) for testing the tests; "" is the correct Raft.
	PlantedBug string
}

// Applied is an entry applied to the state machine; Reply is the response the leader owes its client
// (nil on followers, and for a duplicate of an already answered request whose answer was lost).
type Applied struct {
	Index int
	Entry Entry
	Reply *Message
}

// Node is one server's Raft state. It is not safe for concurrent use.
type Node struct {
	cfg Config

	term       int
	votedFor   int
	log        []Entry // log[i-1] is entry i
	state      State
	leader     int // 0 when unknown
	lastLeader int // the last leader this server knew of, for reporting leader changes

	commitIndex int
	lastApplied int

	votes      map[int]bool
	nextIndex  map[int]int
	matchIndex map[int]int

	electionElapsed  int
	electionTimeout  int
	heartbeatElapsed int
	appendPending    bool
	logChangedFrom   int // lowest log index changed since TakeLogChange, 0 if none

	kv        map[string]string
	lastReply map[int]Message // per client: the response to its last applied request
	lastCmd   map[int]Command // per client: its last applied request

	leaderOfTerm map[int]int // leaders this node has seen, for the one-leader-per-term check
	committed    map[int]int // index -> term of entries known committed, for the never-change check
}

// NewNode makes a server from cfg, restoring term, vote and log from cfg.Storage when it has them.
func NewNode(cfg Config) (*Node, error) {
	if cfg.ID <= 0 || !slices.Contains(cfg.Peers, cfg.ID) {
		return nil, fmt.Errorf("raft: server id %d is not among the peers %v", cfg.ID, cfg.Peers)
	}
	if cfg.ElectionTicks <= 0 || cfg.HeartbeatTicks <= 0 || cfg.ElectionJitter < 0 {
		return nil, errors.New("raft: ElectionTicks and HeartbeatTicks must be positive and ElectionJitter not negative")
	}
	if cfg.HeartbeatTicks >= cfg.ElectionTicks {
		return nil, fmt.Errorf("raft: HeartbeatTicks (%d) must be less than ElectionTicks (%d)", cfg.HeartbeatTicks, cfg.ElectionTicks)
	}
	if cfg.Rand == nil {
		return nil, errors.New("raft: Config.Rand is required")
	}
	if err := checkPlantedBug(cfg.PlantedBug); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:          cfg,
		state:        Follower,
		kv:           map[string]string{},
		lastReply:    map[int]Message{},
		lastCmd:      map[int]Command{},
		leaderOfTerm: map[int]int{},
		committed:    map[int]int{},
	}
	if cfg.Storage != nil {
		hs, entries, err := cfg.Storage.Load()
		if err != nil {
			return nil, fmt.Errorf("raft: server %d: loading persisted state: %w", cfg.ID, err)
		}
		n.term, n.votedFor, n.log = hs.Term, hs.VotedFor, entries
	}
	n.resetElectionTimer()
	return n, nil
}

// Accessors (for the caller's tracing and for tests).
func (n *Node) ID() int           { return n.cfg.ID }
func (n *Node) Term() int         { return n.term }
func (n *Node) VotedFor() int     { return n.votedFor }
func (n *Node) State() State      { return n.state }
func (n *Node) Leader() int       { return n.leader }
func (n *Node) CommitIndex() int  { return n.commitIndex }
func (n *Node) LastApplied() int  { return n.lastApplied }
func (n *Node) LogLen() int       { return len(n.log) }
func (n *Node) Log() []Entry      { return slices.Clone(n.log) }
func (n *Node) Votes() []int      { return sortedKeys(n.votes) }
func (n *Node) Entry(i int) Entry { return n.log[i-1] }

// NextIndex and MatchIndex are the leader's replication state for peer p (0 before this server first led).
func (n *Node) NextIndex(p int) int  { return n.nextIndex[p] }
func (n *Node) MatchIndex(p int) int { return n.matchIndex[p] }
func (n *Node) KV() map[string]string {
	out := make(map[string]string, len(n.kv))
	for k, v := range n.kv {
		out[k] = v
	}
	return out
}

func (n *Node) lastLogIndex() int { return len(n.log) }
func (n *Node) lastLogTerm() int  { return n.termAt(len(n.log)) }
func (n *Node) termAt(i int) int {
	if i <= 0 || i > len(n.log) {
		return 0
	}
	return n.log[i-1].Term
}
func (n *Node) quorum() int { return len(n.cfg.Peers)/2 + 1 }

func (n *Node) resetElectionTimer() {
	n.electionElapsed = 0
	n.electionTimeout = n.cfg.ElectionTicks + n.cfg.Rand(n.cfg.ElectionJitter+1)
}

func (n *Node) check(prop string, cond bool, details map[string]any) {
	if n.cfg.Observer != nil {
		n.cfg.Observer.Check(prop, cond, details)
	}
}

func (n *Node) persistHardState() error {
	if n.cfg.Storage == nil {
		return nil
	}
	return n.cfg.Storage.SaveHardState(HardState{Term: n.term, VotedFor: n.votedFor})
}

func (n *Node) persistEntries(from int) error {
	if n.cfg.Storage == nil {
		return nil
	}
	return n.cfg.Storage.SaveEntries(from, n.log[from-1:])
}

// noteLeader records that leader led term; it checks that no other server led the same term and reports changes.
func (n *Node) noteLeader(term, leader int) {
	if prev, ok := n.leaderOfTerm[term]; ok {
		n.check(PropOneLeaderPerTerm, prev == leader, map[string]any{"server": n.cfg.ID, "term": term, "leaders": []int{prev, leader}})
	} else {
		n.leaderOfTerm[term] = leader
	}
	if n.lastLeader != leader {
		if n.lastLeader != 0 && n.cfg.Observer != nil {
			n.cfg.Observer.LeaderChanged(n.cfg.ID, n.lastLeader, leader, term)
		}
		n.lastLeader = leader
	}
	n.leader = leader
}

// Tick advances time by one tick. It reports whether the election timer fired (the caller then calls
// Campaign) and whether a heartbeat is due (the caller then calls BroadcastAppend).
func (n *Node) Tick() (campaign, heartbeat bool) {
	if n.state == Leader {
		n.heartbeatElapsed++
		if n.heartbeatElapsed >= n.cfg.HeartbeatTicks || n.appendPending {
			return false, true
		}
		return false, false
	}
	n.electionElapsed++
	return n.electionElapsed >= n.electionTimeout, false
}

// Campaign starts an election: a new term, a vote for itself, and a RequestVote to every other server.
func (n *Node) Campaign() ([]Message, error) {
	n.state = Candidate
	n.term++
	n.votedFor = n.cfg.ID
	n.leader = 0
	n.votes = map[int]bool{n.cfg.ID: true}
	n.resetElectionTimer()
	if err := n.persistHardState(); err != nil {
		return nil, err
	}
	var out []Message
	for _, p := range n.cfg.Peers {
		if p == n.cfg.ID {
			continue
		}
		out = append(out, Message{Type: RequestVoteRequest, Source: n.cfg.ID, Dest: p, Term: n.term,
			LastLogTerm: n.lastLogTerm(), LastLogIndex: n.lastLogIndex()})
	}
	return out, nil
}

// Elected reports whether this candidate holds a quorum of votes (the caller then calls BecomeLeader).
func (n *Node) Elected() bool {
	return n.state == Candidate && len(n.votes) >= n.quorum()
}

// BecomeLeader turns an elected candidate into the leader of its term.
func (n *Node) BecomeLeader() {
	if !n.Elected() {
		return
	}
	n.state = Leader
	n.nextIndex, n.matchIndex = map[int]int{}, map[int]int{}
	for _, p := range n.cfg.Peers {
		n.nextIndex[p] = len(n.log) + 1
		n.matchIndex[p] = 0
	}
	n.matchIndex[n.cfg.ID] = len(n.log)
	n.noteLeader(n.term, n.cfg.ID)
	n.appendPending = true
	if n.cfg.Observer != nil {
		n.cfg.Observer.BecameLeader(n.cfg.ID, n.term)
	}
}

// BroadcastAppend sends every other server the entries it lacks (an empty AppendEntries is a heartbeat).
func (n *Node) BroadcastAppend() []Message {
	if n.state != Leader {
		return nil
	}
	n.heartbeatElapsed = 0
	n.appendPending = false
	var out []Message
	for _, p := range n.cfg.Peers {
		if p == n.cfg.ID {
			continue
		}
		next := n.nextIndex[p]
		out = append(out, Message{Type: AppendEntriesRequest, Source: n.cfg.ID, Dest: p, Term: n.term,
			PrevLogIndex: next - 1, PrevLogTerm: n.termAt(next - 1),
			Entries: slices.Clone(n.log[next-1:]), CommitIndex: n.commitIndex})
	}
	return out
}

// stepDown moves to a newer term as a follower.
func (n *Node) stepDown(term int) error {
	changed := term > n.term
	if changed {
		n.term = term
		n.votedFor = 0
		n.leader = 0
	}
	n.state = Follower
	n.votes = nil
	if changed {
		return n.persistHardState()
	}
	return nil
}

// Step handles one incoming message and returns the replies.
func (n *Node) Step(m Message) ([]Message, error) {
	if m.IsClientRequest() {
		return n.stepClient(m)
	}
	if m.Term > n.term {
		if err := n.stepDown(m.Term); err != nil {
			return nil, err
		}
	}
	switch m.Type {
	case RequestVoteRequest:
		upToDate := m.LastLogTerm > n.lastLogTerm() || (m.LastLogTerm == n.lastLogTerm() && m.LastLogIndex >= n.lastLogIndex())
		grant := m.Term == n.term && (n.votedFor == 0 || n.votedFor == m.Source) && upToDate
		if grant {
			n.votedFor = m.Source
			n.resetElectionTimer()
			if err := n.persistHardState(); err != nil {
				return nil, err
			}
		}
		return []Message{{Type: RequestVoteResponse, Source: n.cfg.ID, Dest: m.Source, Term: n.term, VoteGranted: grant}}, nil
	case RequestVoteResponse:
		if m.Term == n.term && n.state == Candidate && m.VoteGranted {
			n.votes[m.Source] = true
		}
		return nil, nil
	case AppendEntriesRequest:
		return n.stepAppend(m)
	case AppendEntriesResponse:
		if m.Term != n.term || n.state != Leader {
			return nil, nil
		}
		if m.Success {
			if m.MatchIndex > n.matchIndex[m.Source] {
				n.matchIndex[m.Source] = m.MatchIndex
			}
			n.nextIndex[m.Source] = max(n.nextIndex[m.Source], m.MatchIndex+1)
		} else {
			// The follower's log is shorter or diverges: back off to what it has and retry right away.
			n.nextIndex[m.Source] = max(1, min(n.nextIndex[m.Source]-1, m.MatchIndex+1))
			n.appendPending = true
		}
		return nil, nil
	default:
		return nil, fmt.Errorf("raft: server %d: unknown message type %q from %d", n.cfg.ID, m.Type, m.Source)
	}
}

func (n *Node) stepAppend(m Message) ([]Message, error) {
	reply := Message{Type: AppendEntriesResponse, Source: n.cfg.ID, Dest: m.Source, Term: n.term}
	if m.Term < n.term {
		return []Message{reply}, nil
	}
	// A valid leader for our term: a candidate of the same term gives up.
	if n.state == Candidate {
		n.state = Follower
		n.votes = nil
	}
	n.check(PropOneLeaderPerTerm, n.state != Leader, map[string]any{"server": n.cfg.ID, "term": m.Term, "leaders": []int{n.cfg.ID, m.Source}})
	n.noteLeader(m.Term, m.Source)
	n.resetElectionTimer()
	if m.PrevLogIndex > len(n.log) || n.termAt(m.PrevLogIndex) != m.PrevLogTerm {
		// Tell the leader how much we have so it can back off quickly.
		reply.MatchIndex = min(len(n.log), m.PrevLogIndex-1)
		return []Message{reply}, nil
	}
	firstNew := 0
	for i, e := range m.Entries {
		idx := m.PrevLogIndex + 1 + i
		if idx <= len(n.log) {
			if n.log[idx-1].Term == e.Term {
				continue
			}
			n.check(PropCommittedNeverChange, idx > n.commitIndex, map[string]any{"server": n.cfg.ID, "index": idx, "commitIndex": n.commitIndex, "oldTerm": n.log[idx-1].Term, "newTerm": e.Term})
			n.log = n.log[:idx-1]
		}
		if firstNew == 0 {
			firstNew = idx
		}
		n.log = append(n.log, e)
	}
	if firstNew != 0 {
		n.noteLogChange(firstNew)
		if err := n.persistEntries(firstNew); err != nil {
			return nil, err
		}
	}
	last := m.PrevLogIndex + len(m.Entries)
	if m.CommitIndex > n.commitIndex {
		n.commitIndex = min(m.CommitIndex, last)
	}
	reply.Success = true
	reply.MatchIndex = last
	return []Message{reply}, nil
}

func (n *Node) stepClient(m Message) ([]Message, error) {
	respType := ClientPutResponse
	if m.Type == ClientGetRequest {
		respType = ClientGetResponse
	}
	if m.Cmd == nil {
		return nil, fmt.Errorf("raft: server %d: client request from %d has no mcmd", n.cfg.ID, m.Source)
	}
	if n.state != Leader {
		return []Message{{Type: respType, Source: n.cfg.ID, Dest: m.Source, Success: false,
			Response: &Response{Idx: m.Cmd.Idx, Key: m.Cmd.Key}, LeaderHint: n.leader}}, nil
	}
	n.log = append(n.log, Entry{Term: n.term, Cmd: *m.Cmd, Client: m.Source})
	n.matchIndex[n.cfg.ID] = len(n.log)
	n.noteLogChange(len(n.log))
	if err := n.persistEntries(len(n.log)); err != nil {
		return nil, err
	}
	n.appendPending = true
	return nil, nil
}

func (n *Node) noteLogChange(from int) {
	if n.logChangedFrom == 0 || from < n.logChangedFrom {
		n.logChangedFrom = from
	}
}

// TakeLogChange returns the lowest log index changed since the last call (0 if none) and forgets it.
func (n *Node) TakeLogChange() int {
	from := n.logChangedFrom
	n.logChangedFrom = 0
	return from
}

// AppendPending reports whether the leader has entries to send before the next heartbeat is due.
func (n *Node) AppendPending() bool { return n.state == Leader && n.appendPending }

// CommitTarget is the commit index this server may advance to now: on a leader, the highest index stored on
// a quorum whose entry is from the current term; on a follower, what the leader told it.
func (n *Node) CommitTarget() int {
	if n.state != Leader {
		return n.commitIndex
	}
	target := n.commitIndex
	for idx := len(n.log); idx > n.commitIndex; idx-- {
		if n.log[idx-1].Term != n.term {
			break
		}
		count := 0
		for _, p := range n.cfg.Peers {
			if n.matchIndex[p] >= idx {
				count++
			}
		}
		if count >= n.commitQuorum() {
			target = idx
			break
		}
	}
	return target
}

// AdvanceCommit moves the commit index to CommitTarget and applies the newly committed entries to the
// key-value state machine; on the leader each applied entry carries the reply owed to its client.
func (n *Node) AdvanceCommit() []Applied {
	target := n.CommitTarget()
	if target > n.commitIndex {
		n.commitIndex = target
	}
	var out []Applied
	for n.lastApplied < n.commitIndex {
		n.lastApplied++
		idx := n.lastApplied
		e := n.log[idx-1]
		t, seen := n.committed[idx]
		n.check(PropCommittedNeverChange, !seen || t == e.Term, map[string]any{"server": n.cfg.ID, "index": idx, "oldTerm": t, "newTerm": e.Term})
		n.committed[idx] = e.Term
		if n.cfg.Observer != nil {
			n.cfg.Observer.Committed(n.cfg.ID, idx, e.Term)
		}
		reply := n.apply(e)
		if n.state != Leader {
			reply = nil
		}
		out = append(out, Applied{Index: idx, Entry: e, Reply: reply})
	}
	return out
}

// apply runs one command on the state machine. A retried request (same client, idx and command as the last
// one applied for that client) is applied once and its duplicate gets the first answer again. Anything else is
// applied, so a client process that restarts its numbering is served normally.
func (n *Node) apply(e Entry) *Message {
	if prev, ok := n.lastReply[e.Client]; ok && n.lastCmd[e.Client] == e.Cmd {
		r := prev
		r.LeaderHint = n.cfg.ID
		r.Source = n.cfg.ID
		return &r
	}
	resp := Response{Idx: e.Cmd.Idx, Key: e.Cmd.Key}
	typ := ClientGetResponse
	switch e.Cmd.Type {
	case "put":
		n.kv[e.Cmd.Key] = e.Cmd.Value
		resp.Value, resp.OK = e.Cmd.Value, true
		typ = ClientPutResponse
	default:
		resp.Value, resp.OK = n.kv[e.Cmd.Key]
	}
	m := Message{Type: typ, Source: n.cfg.ID, Dest: e.Client, Success: true, Response: &resp, LeaderHint: n.cfg.ID}
	n.lastReply[e.Client] = m
	n.lastCmd[e.Client] = e.Cmd
	return &m
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
