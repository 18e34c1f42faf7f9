// Package wire carries raftkvs messages between processes (TCP mailboxes, one JSON envelope per line, each
// with the sender's vector clock) and prints them as the TLA+ values PGo's raftkvs traces record.
package wire

import (
	"pgoharness.local/raftkvs/raft"
	"pgoharness.local/support/tlink"
)

type F = tlink.Field

// CmdValue is a command as in PGo's traces: (("idx") :> (1) @@ ("type") :> ("put") @@ ("key") :> ... ).
func CmdValue(c raft.Command) string {
	fs := []F{{K: "idx", V: tlink.Int(c.Idx)}, {K: "type", V: tlink.Str(c.Type)}, {K: "key", V: tlink.Str(c.Key)}}
	if c.Type == "put" {
		fs = append(fs, F{K: "value", V: tlink.Str(c.Value)})
	}
	return tlink.Record(fs...)
}

// RequestValue is what the client's reqCh carries (no idx): (("type") :> ("get") @@ ("key") :> ("k")).
func RequestValue(c raft.Command) string {
	fs := []F{{K: "type", V: tlink.Str(c.Type)}, {K: "key", V: tlink.Str(c.Key)}}
	if c.Type == "put" {
		fs = append(fs, F{K: "value", V: tlink.Str(c.Value)})
	}
	return tlink.Record(fs...)
}

// EntryValue is a log entry: (("term") :> (2) @@ ("cmd") :> (...) @@ ("client") :> (7)).
func EntryValue(e raft.Entry) string {
	return tlink.Record(F{K: "term", V: tlink.Int(e.Term)}, F{K: "cmd", V: CmdValue(e.Cmd)}, F{K: "client", V: tlink.Int(e.Client)})
}

// ResponseValue is a client response body; a missing key reads as 0 with ok FALSE, as in PGo.
func ResponseValue(r raft.Response, success bool) string {
	if !success {
		return tlink.Record(F{K: "idx", V: tlink.Int(r.Idx)}, F{K: "key", V: tlink.Str(r.Key)})
	}
	v := tlink.Int(0)
	if r.OK {
		v = tlink.Str(r.Value)
	}
	return tlink.Record(F{K: "idx", V: tlink.Int(r.Idx)}, F{K: "key", V: tlink.Str(r.Key)}, F{K: "value", V: v}, F{K: "ok", V: tlink.Bool(r.OK)})
}

// MsgValue is a message as PGo's raftkvs prints it.
func MsgValue(m raft.Message) string {
	fs := []F{{K: "mtype", V: tlink.Str(m.Type)}}
	switch m.Type {
	case raft.ClientPutRequest, raft.ClientGetRequest:
		var c raft.Command
		if m.Cmd != nil {
			c = *m.Cmd
		}
		fs = append(fs, F{K: "mcmd", V: CmdValue(c)})
	case raft.ClientPutResponse, raft.ClientGetResponse:
		var r raft.Response
		if m.Response != nil {
			r = *m.Response
		}
		fs = append(fs, F{K: "msuccess", V: tlink.Bool(m.Success)}, F{K: "mresponse", V: ResponseValue(r, m.Success)},
			F{K: "mleaderHint", V: tlink.Int(m.LeaderHint)})
	case raft.RequestVoteRequest:
		fs = append(fs, F{K: "mterm", V: tlink.Int(m.Term)}, F{K: "mlastLogTerm", V: tlink.Int(m.LastLogTerm)},
			F{K: "mlastLogIndex", V: tlink.Int(m.LastLogIndex)})
	case raft.RequestVoteResponse:
		fs = append(fs, F{K: "mterm", V: tlink.Int(m.Term)}, F{K: "mvoteGranted", V: tlink.Bool(m.VoteGranted)})
	case raft.AppendEntriesRequest:
		es := make([]string, len(m.Entries))
		for i, e := range m.Entries {
			es[i] = EntryValue(e)
		}
		fs = append(fs, F{K: "mterm", V: tlink.Int(m.Term)}, F{K: "mprevLogIndex", V: tlink.Int(m.PrevLogIndex)},
			F{K: "mprevLogTerm", V: tlink.Int(m.PrevLogTerm)}, F{K: "mentries", V: tlink.Tuple(es...)},
			F{K: "mcommitIndex", V: tlink.Int(m.CommitIndex)})
	case raft.AppendEntriesResponse:
		fs = append(fs, F{K: "mterm", V: tlink.Int(m.Term)}, F{K: "msuccess", V: tlink.Bool(m.Success)},
			F{K: "mmatchIndex", V: tlink.Int(m.MatchIndex)})
	}
	fs = append(fs, F{K: "msource", V: tlink.Int(m.Source)}, F{K: "mdest", V: tlink.Int(m.Dest)})
	return tlink.Record(fs...)
}
