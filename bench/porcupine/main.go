// Command porcupine-bench checks the corpus histories (testdata/linearizability) with Porcupine and
// prints one JSON line per history: its verdict and the median time of several runs. bench/linearizability.ts
// runs it and compares with the harness's own checker; the parsing here follows the same rules as
// harness/history/parse.ts (etcd: a failed cas is a failed compare, :info is an unknown outcome; kv: per key).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

const nilValue = -1000000

type regInput struct {
	op       byte // 'r', 'w', 'c'
	from, to int
}

type regOutput struct {
	value   int // read: the value (nilValue for nil); cas: 1 ok, 0 failed
	unknown bool
}

var registerModel = porcupine.Model{
	Init: func() interface{} { return nilValue },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(int)
		in := input.(regInput)
		out := output.(regOutput)
		switch in.op {
		case 'r':
			return out.unknown || out.value == st, st
		case 'w':
			return true, in.from
		default:
			matches := in.from == st
			next := st
			if matches {
				next = in.to
			}
			return out.unknown || (out.value == 1) == matches, next
		}
	},
}

type kvInput struct {
	op         byte // 'g', 'p', 'a'
	key, value string
}

type kvOutput struct {
	value   string
	unknown bool
}

var kvModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(kvInput).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		sort.Strings(keys)
		parts := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(string)
		in := input.(kvInput)
		out := output.(kvOutput)
		switch in.op {
		case 'g':
			return out.unknown || out.value == st, st
		case 'p':
			return true, in.value
		default:
			return true, st + in.value
		}
	},
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
}

// event is one parsed history line; time is its position.
type event struct {
	process, typ, f string
	input           interface{}
	output          interface{}
}

// pair turns events into operations: per process an invoke then a completion; :info and never-completed
// invokes return at +infinity with an unknown output; failures are kept only when keepFailed says so.
func pair(events []event, keepFailed func(f string) bool, unknown interface{}) []porcupine.Operation {
	type open struct {
		ev   event
		time int64
	}
	pending := map[string]open{}
	var ops []porcupine.Operation
	const inf = int64(1) << 62
	for i, e := range events {
		if e.typ == "invoke" {
			pending[e.process] = open{e, int64(i)}
			continue
		}
		o, ok := pending[e.process]
		if !ok {
			fail("completion without invoke: process %s", e.process)
		}
		delete(pending, e.process)
		switch {
		case e.typ == "fail" && !keepFailed(e.f):
		case e.typ == "info":
			ops = append(ops, porcupine.Operation{Input: o.ev.input, Call: o.time, Output: unknown, Return: inf})
		default:
			ops = append(ops, porcupine.Operation{Input: o.ev.input, Call: o.time, Output: e.output, Return: int64(i)})
		}
	}
	for _, o := range pending {
		ops = append(ops, porcupine.Operation{Input: o.ev.input, Call: o.time, Output: unknown, Return: inf})
	}
	return ops
}

var etcdLine = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\t:(invoke|ok|fail|info)\t:(read|write|cas)\t(.*)$`)
var casValue = regexp.MustCompile(`^\[(\S+) (\S+)\]$`)

func etcdInt(s string) int {
	if s == "nil" {
		return nilValue
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fail("expected an integer or nil, got %q", s)
	}
	return n
}

func parseEtcd(path string) []porcupine.Operation {
	var events []event
	for _, line := range readLines(path) {
		m := etcdLine.FindStringSubmatch(strings.TrimRight(line, " \r"))
		if m == nil {
			continue
		}
		e := event{process: m[1], typ: m[2], f: m[3]}
		switch {
		case e.typ == "invoke" && e.f == "read":
			e.input = regInput{op: 'r'}
		case e.typ == "invoke" && e.f == "write":
			e.input = regInput{op: 'w', from: etcdInt(m[4])}
		case e.typ == "invoke":
			c := casValue.FindStringSubmatch(m[4])
			if c == nil {
				fail("%s: expected a cas value [from to], got %q", path, m[4])
			}
			e.input = regInput{op: 'c', from: etcdInt(c[1]), to: etcdInt(c[2])}
		case e.f == "read" && e.typ == "ok":
			e.output = regOutput{value: etcdInt(m[4])}
		case e.f == "cas" && e.typ == "ok":
			e.output = regOutput{value: 1}
		default:
			e.output = regOutput{}
		}
		events = append(events, e)
	}
	// A failed cas is a failed compare; a failed read or write did not happen.
	return pair(events, func(f string) bool { return f == "cas" }, regOutput{unknown: true})
}

var kvLine = regexp.MustCompile(`^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "((?:[^"\\]|\\.)*)", :value (nil|"(?:[^"\\]|\\.)*")\}$`)

func parseKv(path string) []porcupine.Operation {
	var events []event
	for _, line := range readLines(path) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := kvLine.FindStringSubmatch(line)
		if m == nil {
			fail("%s: unexpected line %q", path, line)
		}
		value := ""
		if m[5] != "nil" {
			value, _ = strconv.Unquote(m[5])
		}
		key, _ := strconv.Unquote(`"` + m[4] + `"`)
		e := event{process: m[1], typ: m[2], f: m[3]}
		if e.typ == "invoke" {
			e.input = kvInput{op: m[3][0], key: key, value: value}
		} else {
			e.output = kvOutput{value: value}
		}
		events = append(events, e)
	}
	return pair(events, func(string) bool { return false }, kvOutput{unknown: true})
}

func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		fail("%v", err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "porcupine-bench: "+format+"\n", args...)
	os.Exit(2)
}

type result struct {
	History string    `json:"history"`
	Verdict string    `json:"verdict"` // "true", "false" or "unknown"
	Ms      float64   `json:"ms"`      // median of the runs
	Runs    []float64 `json:"runs"`
}

func main() {
	corpus := flag.String("corpus", "../../testdata/linearizability", "the histories directory (etcd/, kv/ with verdicts.tsv)")
	timeout := flag.Duration("timeout", 60*time.Second, "time budget per history and run")
	minRuns := flag.Int("runs", 3, "runs per history (more for fast ones, up to -budget)")
	budget := flag.Duration("budget", 300*time.Millisecond, "keep repeating a history while its runs took less than this")
	flag.Parse()
	only := map[string]bool{}
	for _, a := range flag.Args() {
		only[a] = true
	}
	out := json.NewEncoder(os.Stdout)
	for _, format := range []string{"etcd", "kv"} {
		dir := filepath.Join(*corpus, format)
		for _, line := range readLines(filepath.Join(dir, "verdicts.tsv"))[1:] {
			name := strings.SplitN(line, "\t", 2)[0]
			id := format + "/" + name
			if len(only) > 0 && !only[id] {
				continue
			}
			var ops []porcupine.Operation
			model := registerModel
			if format == "etcd" {
				ops = parseEtcd(filepath.Join(dir, name))
			} else {
				ops = parseKv(filepath.Join(dir, name))
				model = kvModel
			}
			// One untimed run first, as on the TypeScript side (where it lets the JIT compile the search).
			porcupine.CheckOperationsTimeout(model, ops, *timeout)
			var runs []float64
			var verdict porcupine.CheckResult
			total := time.Duration(0)
			for len(runs) < *minRuns || (total < *budget && len(runs) < 50) {
				start := time.Now()
				verdict = porcupine.CheckOperationsTimeout(model, ops, *timeout)
				d := time.Since(start)
				total += d
				runs = append(runs, float64(d.Microseconds())/1000)
				if verdict == porcupine.Unknown {
					break
				}
			}
			sorted := append([]float64(nil), runs...)
			sort.Float64s(sorted)
			v := map[porcupine.CheckResult]string{porcupine.Ok: "true", porcupine.Illegal: "false", porcupine.Unknown: "unknown"}[verdict]
			_ = out.Encode(result{History: id, Verdict: v, Ms: sorted[len(sorted)/2], Runs: runs})
		}
	}
}
