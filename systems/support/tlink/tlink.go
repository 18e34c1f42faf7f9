// Package tlink writes TraceLink traces (the format of PGo's distsys tracing, see the project's corpus README):
// one JSON line per critical section of an archetype instance, with a vector clock that travels on messages.
// It is shared by the reference systems (raftkvs, dqueue).
package tlink

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Clock is a vector clock keyed by archetype instance.
type Clock map[Instance]int

// Instance names an archetype instance: its archetype and its self (a TLA+ value string).
type Instance struct{ Archetype, Self string }

// Entry is one clock entry as it is serialised: [[archetype, self], n].
type Entry struct {
	Instance Instance
	N        int
}

func (e Entry) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{[]string{e.Instance.Archetype, e.Instance.Self}, e.N})
}

func (e *Entry) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) != 2 {
		return fmt.Errorf("tlink: clock entry %s: expected [[archetype, self], n]", b)
	}
	var inst []string
	if err := json.Unmarshal(raw[0], &inst); err != nil || len(inst) != 2 {
		return fmt.Errorf("tlink: clock entry %s: expected [archetype, self] first", b)
	}
	e.Instance = Instance{inst[0], inst[1]}
	return json.Unmarshal(raw[1], &e.N)
}

// Entries lists the clock in a stable order (for messages and trace lines).
func (c Clock) Entries() []Entry {
	out := make([]Entry, 0, len(c))
	for i, n := range c {
		out = append(out, Entry{i, n})
	}
	slices.SortFunc(out, func(a, b Entry) int {
		return strings.Compare(a.Instance.Archetype+"\x00"+a.Instance.Self, b.Instance.Archetype+"\x00"+b.Instance.Self)
	})
	return out
}

// Merge raises c to at least every entry of o.
func (c Clock) Merge(o Clock) {
	for i, n := range o {
		if n > c[i] {
			c[i] = n
		}
	}
}

// FromEntries rebuilds a clock from its serialised entries.
func FromEntries(es []Entry) Clock {
	c := Clock{}
	for _, e := range es {
		c[e.Instance] = e.N
	}
	return c
}

// Name is a traced variable's name: {name, prefix, self}.
type Name struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix"`
	Self   string `json:"self"`
}

// Element is one read or write of a critical section.
type Element struct {
	Indices  []string `json:"indices"`
	Name     Name     `json:"name"`
	OldValue *string  `json:"oldValue,omitempty"`
	Tag      string   `json:"tag"`
	Value    string   `json:"value"`
}

// Line is one trace line.
type Line struct {
	ArchetypeName string    `json:"archetypeName"`
	Clock         []Entry   `json:"clock"`
	CSElements    []Element `json:"csElements"`
	EndTime       string    `json:"endTime"`
	IsAbort       bool      `json:"isAbort"`
	Self          string    `json:"self"`
	StartTime     string    `json:"startTime"`
}

// timeFormat is RFC 3339 with all nine fraction digits, so that times also compare correctly as strings.
const timeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// Tracer is one archetype instance's trace. A nil *Tracer traces nothing, so callers need no branches.
type Tracer struct {
	mu    sync.Mutex
	inst  Instance
	clock Clock
	f     *os.File
	pc    string            // the label the next section starts at
	last  map[string]string // last value read or written per name+indices, for oldValue
	cs    *Section
}

// Open starts the trace of archetype instance (archetype, self) in dir, as trace-<self>-<random>.log.
// With dir empty it returns nil (tracing off). initialPC is the label of the archetype's first section.
//
// A restarted process finds its instance's earlier files in dir and starts a new incarnation: the file
// trace-<self>-<n+1>.log after the highest n there (an instance's files in order of n are its incarnations),
// its clock continuing the clock of the last record written before (so no count is used twice), from initialPC.
func Open(dir, archetype, self, initialPC string) (*Tracer, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tlink: creating trace directory %s: %w", dir, err)
	}
	inst := Instance{archetype, self}
	clock := Clock{inst: 0}
	n := uint64(rand.Uint32())
	if files, err := earlier(dir, self); err != nil {
		return nil, err
	} else if len(files) > 0 {
		n = files[len(files)-1].n + 1
		for i := len(files) - 1; i >= 0; i-- {
			last, err := lastClock(files[i].path)
			if err != nil {
				return nil, err
			}
			if last != nil {
				clock.Merge(last)
				break
			}
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("trace-%s-%d.log", self, n))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("tlink: creating trace file: %w", err)
	}
	return &Tracer{inst: inst, clock: clock, f: f, pc: initialPC, last: map[string]string{}}, nil
}

type traceFile struct {
	path string
	n    uint64
}

// earlier lists self's trace files in dir in order of n.
func earlier(dir, self string) ([]traceFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tlink: reading trace directory %s: %w", dir, err)
	}
	re := regexp.MustCompile(`^trace-` + regexp.QuoteMeta(self) + `-(\d+)\.log$`)
	var out []traceFile
	for _, e := range entries {
		if m := re.FindStringSubmatch(e.Name()); m != nil {
			if n, err := strconv.ParseUint(m[1], 10, 64); err == nil {
				out = append(out, traceFile{filepath.Join(dir, e.Name()), n})
			}
		}
	}
	slices.SortFunc(out, func(a, b traceFile) int { return cmp.Compare(a.n, b.n) })
	return out, nil
}

// lastClock is the clock of a trace file's last whole line, nil when it has none.
func lastClock(path string) (Clock, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tlink: reading earlier trace %s: %w", path, err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var l Line
		if strings.TrimSpace(lines[i]) == "" || json.Unmarshal([]byte(lines[i]), &l) != nil {
			continue // a torn last line (a kill mid-write) is not a record
		}
		return FromEntries(l.Clock), nil
	}
	return nil, nil
}

// Clock is a copy of the instance's clock now (for a restarted process: where its earlier incarnation ended).
func (t *Tracer) Clock() Clock {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := Clock{}
	c.Merge(t.clock)
	return c
}

// Close flushes nothing (every line is written whole) and closes the file.
func (t *Tracer) Close() error {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.f.Close()
}

// Section is an open critical section.
type Section struct {
	t     *Tracer
	start time.Time
	elems []Element
}

// Begin opens a critical section: it merges the clocks in, counts the section on the own entry and records
// the read of .pc. The returned clock is what messages written in this section must carry.
func (t *Tracer) Begin(merge ...Clock) *Section {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	for _, c := range merge {
		t.clock.Merge(c)
	}
	t.clock[t.inst]++
	s := &Section{t: t, start: time.Now()}
	s.elems = append(s.elems, Element{Indices: []string{}, Name: Name{".pc", "", t.inst.Self}, Tag: "read", Value: Str(t.pc)})
	t.cs = s
	return s
}

// Clock is a copy of the section's clock (own entry already counted).
func (s *Section) Clock() Clock {
	if s == nil {
		return nil
	}
	c := Clock{}
	c.Merge(s.t.clock)
	return c
}

// Merge merges a clock into the open section (a message read in the middle of it).
func (s *Section) Merge(c Clock) {
	if s != nil {
		s.t.clock.Merge(c)
	}
}

func key(name string, indices []string) string { return name + "[" + strings.Join(indices, ",") + "]" }

func (s *Section) name(n string) Name { return Name{n, s.t.inst.Archetype, s.t.inst.Self} }

// Read records a read of name[indices] giving value.
func (s *Section) Read(name string, indices []string, value string) {
	if s == nil {
		return
	}
	s.elems = append(s.elems, Element{Indices: orEmpty(indices), Name: s.name(name), Tag: "read", Value: value})
	s.t.last[key(name, indices)] = value
}

// Write records a write to local state; its oldValue is the last value this instance read or wrote there
// (callers read shared state right before writing it), or defaultInitValue.
func (s *Section) Write(name string, indices []string, value string) {
	if s == nil {
		return
	}
	k := key(name, indices)
	old, ok := s.t.last[k]
	if !ok {
		old = "defaultInitValue"
	}
	s.elems = append(s.elems, Element{Indices: orEmpty(indices), Name: s.name(name), OldValue: &old, Tag: "write", Value: value})
	s.t.last[k] = value
}

// ReadWrite records a read of the current value then a write of the new one (shared state).
func (s *Section) ReadWrite(name string, indices []string, old, value string) {
	s.Read(name, indices, old)
	s.Write(name, indices, value)
}

// Send records a mailbox write (no oldValue).
func (s *Section) Send(name string, indices []string, value string) {
	if s == nil {
		return
	}
	s.elems = append(s.elems, Element{Indices: orEmpty(indices), Name: s.name(name), Tag: "write", Value: value})
}

// Commit ends the section, writing .pc = next, and appends its line to the trace.
func (s *Section) Commit(next string) error {
	if s == nil {
		return nil
	}
	t := s.t
	defer t.mu.Unlock()
	old := Str(t.pc)
	s.elems = append(s.elems, Element{Indices: []string{}, Name: Name{".pc", "", t.inst.Self}, OldValue: &old, Tag: "write", Value: Str(next)})
	t.pc = next
	t.cs = nil
	end := time.Now()
	if !end.After(s.start) {
		end = s.start
	}
	rec := Line{ArchetypeName: t.inst.Archetype, Clock: t.clock.Entries(), CSElements: s.elems,
		StartTime: s.start.UTC().Format(timeFormat), EndTime: end.UTC().Format(timeFormat), Self: t.inst.Self}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	// One write per line, so a killed process leaves whole lines.
	_, err = t.f.Write(append(b, '\n'))
	return err
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
