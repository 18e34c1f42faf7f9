// Package raft is raftkvs's Raft core: a pure, deterministic state machine (no I/O, no clocks, no goroutines).
// The caller feeds it ticks and messages and sends the messages it returns; randomness comes from Config.Rand.
// Its operations are split the way PGo's raftkvs splits its server into archetypes (message handling, request
// vote, append entries, advance commit index, become leader) so that the caller can trace each as its own
// critical section.
package raft

// Message types, named as in PGo's raftkvs.tla.
const (
	RequestVoteRequest    = "rvq"
	RequestVoteResponse   = "rvp"
	AppendEntriesRequest  = "apq"
	AppendEntriesResponse = "app"
	ClientPutRequest      = "cpq"
	ClientGetRequest      = "cgq"
	ClientPutResponse     = "cpp"
	ClientGetResponse     = "cgp"
)

// Command is a client's request as it travels in client messages and log entries.
type Command struct {
	Idx   int    `json:"idx"`
	Type  string `json:"type"` // "put" or "get"
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

// Entry is one log entry; Client is the mailbox id of the client that asked for it.
type Entry struct {
	Term   int     `json:"term"`
	Cmd    Command `json:"cmd"`
	Client int     `json:"client"`
}

// Response is the outcome of a client command. A get of a missing key has OK false.
type Response struct {
	Idx   int    `json:"idx"`
	Key   string `json:"key"`
	Value string `json:"value"`
	OK    bool   `json:"ok"`
}

// Message is every message of the protocol; which fields matter depends on Type.
type Message struct {
	Type   string `json:"mtype"`
	Source int    `json:"msource"`
	Dest   int    `json:"mdest"`
	Term   int    `json:"mterm,omitempty"`

	// RequestVote
	LastLogTerm  int  `json:"mlastLogTerm,omitempty"`
	LastLogIndex int  `json:"mlastLogIndex,omitempty"`
	VoteGranted  bool `json:"mvoteGranted,omitempty"`

	// AppendEntries
	PrevLogIndex int     `json:"mprevLogIndex,omitempty"`
	PrevLogTerm  int     `json:"mprevLogTerm,omitempty"`
	Entries      []Entry `json:"mentries,omitempty"`
	CommitIndex  int     `json:"mcommitIndex,omitempty"`
	Success      bool    `json:"msuccess,omitempty"`
	MatchIndex   int     `json:"mmatchIndex,omitempty"`

	// Client
	Cmd        *Command  `json:"mcmd,omitempty"`
	Response   *Response `json:"mresponse,omitempty"`
	LeaderHint int       `json:"mleaderHint,omitempty"`
}

// IsClientRequest reports whether m is a request from a client.
func (m Message) IsClientRequest() bool {
	return m.Type == ClientPutRequest || m.Type == ClientGetRequest
}

// State is a server's role.
type State string

const (
	Follower  State = "follower"
	Candidate State = "candidate"
	Leader    State = "leader"
)

// HardState is what Raft must keep across restarts besides the log.
type HardState struct {
	Term     int `json:"term"`
	VotedFor int `json:"votedFor"`
}

// Storage persists the hard state and the log. Save is called after every change, before any message that
// depends on the change is returned to the caller.
type Storage interface {
	Load() (HardState, []Entry, error)
	// SaveHardState records term and vote.
	SaveHardState(hs HardState) error
	// SaveEntries truncates the stored log after index from-1 and appends entries (1-based indices).
	SaveEntries(from int, entries []Entry) error
}

// Observer is told about the events worth asserting on; every method may be a no-op.
type Observer interface {
	// Check reports a safety property evaluated at this step (cond false means it was violated).
	Check(property string, cond bool, details map[string]any)
	// BecameLeader is called when this server becomes leader.
	BecameLeader(id, term int)
	// Committed is called when the commit index advances.
	Committed(id, index, term int)
	// LeaderChanged is called when this server learns of a leader different from the last one it knew.
	LeaderChanged(id, oldLeader, newLeader, term int)
}

// Safety property names passed to Observer.Check.
const (
	PropOneLeaderPerTerm     = "at most one leader per term"
	PropCommittedNeverChange = "a committed entry never changes"
)
