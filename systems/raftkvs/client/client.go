// Package client is raftkvs's client: it sends each request to the server it believes leads, follows leader
// hints and timeouts to the next server, and traces itself as PGo's AClient (a read of reqCh when it takes a
// request, a write of respCh when it gives the response back), so a history can be derived from its trace.
package client

import (
	"context"
	"fmt"
	"log"
	"time"

	"pgoharness.local/raftkvs/config"
	"pgoharness.local/raftkvs/raft"
	"pgoharness.local/raftkvs/server"
	"pgoharness.local/raftkvs/wire"
	"pgoharness.local/support/tlink"
)

// Client is one client process's connection to the cluster.
type Client struct {
	id, self int
	cfg      config.Root
	mb       *wire.Mailbox
	tr       *tlink.Tracer
	leader   int // server to try next (0 before the first request)
	reqIdx   int
	giveUp   time.Duration
	logf     func(string, ...any)
}

// Options for New: TraceDir "" traces nothing; GiveUp is how long one operation may take in all (default 30s).
type Options struct {
	TraceDir string
	GiveUp   time.Duration
}

// New opens client id's mailbox (at its configured address) and its trace.
func New(cfg config.Root, id int, opts Options) (*Client, error) {
	cc, ok := cfg.Clients[id]
	if !ok {
		return nil, fmt.Errorf("clientId %d: not among the config's clients 1..%d", id, cfg.NumClients)
	}
	c := &Client{id: id, self: server.ClientSelf(cfg.NumServers, id), cfg: cfg, giveUp: opts.GiveUp, logf: func(string, ...any) {}}
	if c.giveUp <= 0 {
		c.giveUp = 30 * time.Second
	}
	if cfg.Debug {
		c.logf = log.Printf
	}
	tr, err := tlink.Open(opts.TraceDir, "AClient", tlink.Int(c.self), "AClient.clientLoop")
	if err != nil {
		return nil, err
	}
	c.tr = tr
	mb, err := wire.Listen(cc.MailboxAddr, wire.Options{QueueSize: cfg.Mailboxes.ReceiveChanSize,
		DialTimeout: cfg.Mailboxes.DialTimeout, WriteTimeout: cfg.Mailboxes.WriteTimeout, Resolve: server.Resolver(cfg), Logf: c.logf})
	if err != nil {
		_ = tr.Close()
		return nil, err
	}
	c.mb = mb
	return c, nil
}

// Close closes the mailbox and the trace.
func (c *Client) Close() error {
	c.mb.Close()
	return c.tr.Close()
}

func (c *Client) next(s int) int { return s%c.cfg.NumServers + 1 }

// Do runs one get or put until a server answers it; it gives up after the GiveUp time.
func (c *Client) Do(ctx context.Context, typ, key, value string) (raft.Response, error) {
	req := raft.Command{Type: typ, Key: key}
	if typ == "put" {
		req.Value = value
	}
	reqV := wire.RequestValue(req)

	// clientLoop: take the request.
	sec := c.tr.Begin()
	sec.Read("reqCh", nil, reqV)
	sec.Write("req", nil, reqV)
	sec.Read("reqIdx", nil, tlink.Int(c.reqIdx))
	c.reqIdx++
	sec.Write("reqIdx", nil, tlink.Int(c.reqIdx))
	sec.Commit("AClient.sndReq")
	req.Idx = c.reqIdx

	deadline := time.Now().Add(c.giveUp)
	typMsg := raft.ClientGetRequest
	if typ == "put" {
		typMsg = raft.ClientPutRequest
	}
	for {
		if time.Now().After(deadline) {
			return raft.Response{}, fmt.Errorf("giving up on %s %s after %v: no server answered (last tried server %d)", typ, key, c.giveUp, c.leader)
		}
		// sndReq: send to the presumed leader.
		sec = c.tr.Begin()
		sec.Read("leader", nil, tlink.Int(c.leader))
		if c.leader == 0 {
			c.leader = 1
			sec.Write("leader", nil, tlink.Int(c.leader))
		}
		sec.Read("reqIdx", nil, tlink.Int(c.reqIdx))
		sec.Read("req", nil, reqV)
		m := raft.Message{Type: typMsg, Source: c.self, Dest: c.leader, Cmd: &req}
		sec.Send("net", []string{tlink.Int(c.leader)}, wire.MsgValue(m))
		var clock []tlink.Entry
		if cl := sec.Clock(); cl != nil {
			clock = cl.Entries()
		}
		if err := sec.Commit("AClient.rcvResp"); err != nil {
			return raft.Response{}, err
		}
		c.mb.Send(c.leader, wire.Envelope{Clock: clock, Msg: m})

		resp, done, err := c.await(ctx, req.Idx)
		if err != nil || done {
			return resp, err
		}
	}
}

// await is rcvResp: wait for the answer to idx. done false means: send again (to c.leader, already updated).
func (c *Client) await(ctx context.Context, idx int) (raft.Response, bool, error) {
	timeout := time.NewTimer(c.cfg.ClientRequestTimeout)
	defer timeout.Stop()
	for {
		select {
		case <-ctx.Done():
			return raft.Response{}, false, ctx.Err()
		case <-timeout.C:
			sec := c.tr.Begin()
			sec.Read("leader", nil, tlink.Int(c.leader))
			old := c.leader
			c.leader = c.next(c.leader)
			sec.Write("leader", nil, tlink.Int(c.leader))
			c.logf("client %d: no answer from server %d within %v; trying server %d", c.id, old, c.cfg.ClientRequestTimeout, c.leader)
			return raft.Response{}, false, sec.Commit("AClient.sndReq")
		case env := <-c.mb.In:
			m := env.Msg
			mv := wire.MsgValue(m)
			sec := c.tr.Begin(tlink.FromEntries(env.Clock))
			sec.Read("net", []string{tlink.Int(c.self)}, mv)
			sec.Write("resp", nil, mv)
			if m.Response == nil || m.Response.Idx != idx {
				// A late answer to an earlier attempt: keep waiting.
				if err := sec.Commit("AClient.rcvResp"); err != nil {
					return raft.Response{}, false, err
				}
				continue
			}
			sec.Read("leader", nil, tlink.Int(c.leader))
			if !m.Success {
				hint := m.LeaderHint
				if hint < 1 || hint > c.cfg.NumServers || hint == m.Source {
					hint = c.next(m.Source)
				}
				c.leader = hint
				sec.Write("leader", nil, tlink.Int(c.leader))
				if err := sec.Commit("AClient.sndReq"); err != nil {
					return raft.Response{}, false, err
				}
				// Brief pause so that a cluster without a leader is not flooded while it elects one.
				time.Sleep(10 * time.Millisecond)
				return raft.Response{}, false, nil
			}
			c.leader = m.Source
			sec.Write("leader", nil, tlink.Int(c.leader))
			sec.Send("respCh", nil, mv)
			return *m.Response, true, sec.Commit("AClient.clientLoop")
		}
	}
}
