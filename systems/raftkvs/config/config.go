// Package config reads raftkvs's YAML config, with the keys of PGo's raftkvs configs.
package config

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

type Root struct {
	NumServers                int
	NumClients                int
	Debug                     bool
	Persist                   bool
	ClientRequestTimeout      time.Duration
	FD                        FD
	Mailboxes                 Mailboxes
	LeaderElection            LeaderElection
	AppendEntriesSendInterval time.Duration
	SharedResourceTimeout     time.Duration
	InputChanReadTimeout      time.Duration
	Servers                   map[int]Server
	Clients                   map[int]Client
}

type FD struct{ PullInterval, Timeout time.Duration }

type Mailboxes struct {
	ReceiveChanSize                        int
	DialTimeout, ReadTimeout, WriteTimeout time.Duration
}

type LeaderElection struct{ Timeout, TimeoutOffset time.Duration }

type Server struct{ MailboxAddr, MonitorAddr string }

type Client struct{ MailboxAddr string }

// Read loads and validates the config at path.
func Read(path string) (Root, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Root{}, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return Root{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

var knownTop = []string{"numServers", "numClients", "debug", "persist", "clientRequestTimeout", "fd", "mailboxes",
	"leaderElection", "appendEntriesSendInterval", "sharedResourceTimeout", "inputChanReadTimeout", "servers", "clients"}

// Parse parses and validates a config document; errors name the offending key.
func Parse(b []byte) (Root, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return Root{}, fmt.Errorf("not valid YAML: %w", err)
	}
	if doc == nil {
		return Root{}, fmt.Errorf("empty config")
	}
	doc = normalize(doc).(map[string]any)
	for k := range doc {
		if !slices.Contains(knownTop, k) {
			return Root{}, fmt.Errorf("unknown key %q", k)
		}
	}
	var c Root
	var err error
	p := parser{doc: doc}
	c.NumServers = p.posInt("numServers")
	c.NumClients = p.posInt("numClients")
	c.Debug = p.boolean("debug", false)
	c.Persist = p.boolean("persist", false)
	c.ClientRequestTimeout = p.duration("clientRequestTimeout", true)
	c.FD.PullInterval = p.duration("fd.pullInterval", false)
	c.FD.Timeout = p.duration("fd.timeout", false)
	c.Mailboxes.ReceiveChanSize = p.posInt("mailboxes.receiveChanSize")
	c.Mailboxes.DialTimeout = p.duration("mailboxes.dialTimeout", true)
	c.Mailboxes.ReadTimeout = p.duration("mailboxes.readTimeout", false)
	c.Mailboxes.WriteTimeout = p.duration("mailboxes.writeTimeout", true)
	c.LeaderElection.Timeout = p.duration("leaderElection.timeout", true)
	c.LeaderElection.TimeoutOffset = p.duration("leaderElection.timeoutOffset", false)
	c.AppendEntriesSendInterval = p.duration("appendEntriesSendInterval", true)
	c.SharedResourceTimeout = p.duration("sharedResourceTimeout", false)
	c.InputChanReadTimeout = p.duration("inputChanReadTimeout", false)
	if p.err != nil {
		return Root{}, p.err
	}
	c.Servers = map[int]Server{}
	c.Clients = map[int]Client{}
	if err = p.ids("servers", []string{"mailboxAddr", "monitorAddr"}, func(id int, m map[string]string) {
		c.Servers[id] = Server{MailboxAddr: m["mailboxAddr"], MonitorAddr: m["monitorAddr"]}
	}); err != nil {
		return Root{}, err
	}
	if err = p.ids("clients", []string{"mailboxAddr"}, func(id int, m map[string]string) {
		c.Clients[id] = Client{MailboxAddr: m["mailboxAddr"]}
	}); err != nil {
		return Root{}, err
	}
	if len(c.Servers) != c.NumServers {
		return Root{}, fmt.Errorf("numServers is %d but servers has %d entries", c.NumServers, len(c.Servers))
	}
	if len(c.Clients) != c.NumClients {
		return Root{}, fmt.Errorf("numClients is %d but clients has %d entries", c.NumClients, len(c.Clients))
	}
	for id := 1; id <= c.NumServers; id++ {
		if _, ok := c.Servers[id]; !ok {
			return Root{}, fmt.Errorf("servers: ids must be 1..%d, %d is missing", c.NumServers, id)
		}
	}
	for id := 1; id <= c.NumClients; id++ {
		if _, ok := c.Clients[id]; !ok {
			return Root{}, fmt.Errorf("clients: ids must be 1..%d, %d is missing", c.NumClients, id)
		}
	}
	return c, nil
}

type parser struct {
	doc map[string]any
	err error
}

// lookup finds a dotted key; ok is false when it is absent.
func (p *parser) lookup(key string) (any, bool) {
	var cur any = p.doc
	start := 0
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '.' {
			continue
		}
		m, isMap := cur.(map[string]any)
		if !isMap {
			p.fail(fmt.Errorf("%s: expected a mapping", key[:start]))
			return nil, false
		}
		v, ok := m[key[start:i]]
		if !ok {
			return nil, false
		}
		cur, start = v, i+1
	}
	return cur, true
}

func (p *parser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *parser) posInt(key string) int {
	v, ok := p.lookup(key)
	if !ok {
		p.fail(fmt.Errorf("%s: required", key))
		return 0
	}
	n, isInt := v.(int)
	if !isInt || n <= 0 {
		p.fail(fmt.Errorf("%s: expected a positive integer, got %v", key, v))
	}
	return n
}

func (p *parser) boolean(key string, def bool) bool {
	v, ok := p.lookup(key)
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		p.fail(fmt.Errorf("%s: expected true or false, got %v", key, v))
	}
	return b
}

func (p *parser) duration(key string, required bool) time.Duration {
	v, ok := p.lookup(key)
	if !ok {
		if required {
			p.fail(fmt.Errorf("%s: required", key))
		}
		return 0
	}
	s, isStr := v.(string)
	d, err := time.ParseDuration(s)
	if !isStr || err != nil || d <= 0 {
		p.fail(fmt.Errorf("%s: expected a positive duration such as \"150ms\", got %v", key, v))
	}
	return d
}

func (p *parser) ids(key string, fields []string, set func(int, map[string]string)) error {
	v, ok := p.lookup(key)
	if !ok {
		return fmt.Errorf("%s: required", key)
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return fmt.Errorf("%s: expected a mapping from ids to entries", key)
	}
	for k, e := range m {
		id, err := strconv.Atoi(k)
		if err != nil || id <= 0 {
			return fmt.Errorf("%s.%s: expected a positive integer id", key, k)
		}
		em, isMap := e.(map[string]any)
		if !isMap {
			return fmt.Errorf("%s.%s: expected a mapping", key, k)
		}
		out := map[string]string{}
		for fk, fv := range em {
			if !slices.Contains(fields, fk) {
				return fmt.Errorf("%s.%s.%s: unknown key", key, k, fk)
			}
			s, isStr := fv.(string)
			if !isStr || s == "" {
				return fmt.Errorf("%s.%s.%s: expected a host:port string", key, k, fk)
			}
			out[fk] = s
		}
		if out["mailboxAddr"] == "" {
			return fmt.Errorf("%s.%s.mailboxAddr: required", key, k)
		}
		set(id, out)
	}
	return nil
}

// normalize turns YAML mappings with non-string keys (servers: {1: ...}) into string-keyed maps.
func normalize(v any) any {
	switch m := v.(type) {
	case map[string]any:
		for k, e := range m {
			m[k] = normalize(e)
		}
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	default:
		return v
	}
}
