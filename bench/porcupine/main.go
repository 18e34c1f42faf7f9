// Command porcupine-bench checks histories with Porcupine and prints one JSON line per history: its verdict
// and the median time of several runs. bench/linearizability.ts runs it and compares with the harness's own
// checker.
//
// The histories are read by Porcupine's own rules, the ones its test suite uses for the same files (so the
// benchmark compares like with like): events in file order, any whitespace between the fields of a Jepsen
// line, a line that matches no rule is ignored, a failed cas is a failed compare, a timed-out read returns
// with an unknown output, an invoke never completed returns at the end with an unknown output (etcd) or an
// empty one (kv), and the kv model is partitioned per key. Only those models (and no Hash for the register)
// are used, as in Porcupine's tests.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

const nilValue = -1000000

type regInput struct {
	op       uint8 // 0 read, 1 write, 2 cas
	arg1     int   // write: the value; cas: from
	arg2     int   // cas: to
}

type regOutput struct {
	ok      bool // cas
	exists  bool // read: false for nil
	value   int  // read
	unknown bool // timed out or never completed
}

var registerModel = porcupine.Model{
	Init: func() interface{} { return nilValue },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		st := state.(int)
		in := input.(regInput)
		out := output.(regOutput)
		switch in.op {
		case 0:
			return (!out.exists && st == nilValue) || (out.exists && st == out.value) || out.unknown, state
		case 1:
			return true, in.arg1
		default:
			next := st
			if in.arg1 == st {
				next = in.arg2
			}
			return (in.arg1 == st && out.ok) || (in.arg1 != st && !out.ok) || out.unknown, next
		}
	},
}

type kvInput struct {
	op         uint8 // 0 get, 1 put, 2 append
	key, value string
}

type kvOutput struct {
	value string
}

var kvModel = porcupine.Model{
	PartitionEvent: func(history []porcupine.Event) [][]porcupine.Event {
		byKey := map[string][]porcupine.Event{}
		keyOf := map[int]string{}
		var keys []string
		for _, e := range history {
			if e.Kind == porcupine.CallEvent {
				k := e.Value.(kvInput).key
				keyOf[e.Id] = k
				if _, ok := byKey[k]; !ok {
					keys = append(keys, k)
				}
			}
			k := keyOf[e.Id]
			byKey[k] = append(byKey[k], e)
		}
		sort.Strings(keys)
		parts := make([][]porcupine.Event, 0, len(keys))
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
		case 0:
			return out.value == st, st
		case 1:
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

// events pairs calls and returns per process the way Porcupine's test parsers do.
type events struct {
	list    []porcupine.Event
	pending map[int]int // process -> id of its open call
	next    int
}

func (h *events) call(proc int, value interface{}) {
	h.list = append(h.list, porcupine.Event{ClientId: proc, Kind: porcupine.CallEvent, Value: value, Id: h.next})
	h.pending[proc] = h.next
	h.next++
}

func (h *events) ret(proc int, value interface{}) {
	id := h.pending[proc]
	delete(h.pending, proc)
	h.list = append(h.list, porcupine.Event{ClientId: proc, Kind: porcupine.ReturnEvent, Value: value, Id: id})
}

// finish returns every call still open at the end with `value`.
func (h *events) finish(value interface{}) []porcupine.Event {
	procs := make([]int, 0, len(h.pending))
	for p := range h.pending {
		procs = append(procs, p)
	}
	sort.Ints(procs)
	for _, p := range procs {
		h.ret(p, value)
	}
	return h.list
}

const jepsen = `^INFO\s+jepsen\.util\s+-\s+(\d+)\s+`

var (
	invokeRead  = regexp.MustCompile(jepsen + `:invoke\s+:read\s+nil$`)
	invokeWrite = regexp.MustCompile(jepsen + `:invoke\s+:write\s+(\d+)$`)
	invokeCas   = regexp.MustCompile(jepsen + `:invoke\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	okRead      = regexp.MustCompile(jepsen + `:ok\s+:read\s+(nil|\d+)$`)
	okWrite     = regexp.MustCompile(jepsen + `:ok\s+:write\s+(\d+)$`)
	doneCas     = regexp.MustCompile(jepsen + `:(ok|fail)\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	timeoutRead = regexp.MustCompile(jepsen + `:fail\s+:read\s+:timed-out$`)
)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func parseEtcd(path string) []porcupine.Event {
	h := &events{pending: map[int]int{}}
	for _, line := range readLines(path) {
		if m := invokeRead.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), regInput{op: 0})
		} else if m := invokeWrite.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), regInput{op: 1, arg1: atoi(m[2])})
		} else if m := invokeCas.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), regInput{op: 2, arg1: atoi(m[2]), arg2: atoi(m[3])})
		} else if m := okRead.FindStringSubmatch(line); m != nil {
			out := regOutput{}
			if m[2] != "nil" {
				out = regOutput{exists: true, value: atoi(m[2])}
			}
			h.ret(atoi(m[1]), out)
		} else if m := okWrite.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), regOutput{})
		} else if m := doneCas.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), regOutput{ok: m[2] == "ok"})
		} else if m := timeoutRead.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), regOutput{unknown: true})
		}
	}
	return h.finish(regOutput{unknown: true})
}

const kvFields = `{:process (\d+), :type `

var (
	invokeGet    = regexp.MustCompile(kvFields + `:invoke, :f :get, :key "(.*)", :value nil}`)
	invokePut    = regexp.MustCompile(kvFields + `:invoke, :f :put, :key "(.*)", :value "(.*)"}`)
	invokeAppend = regexp.MustCompile(kvFields + `:invoke, :f :append, :key "(.*)", :value "(.*)"}`)
	okGet        = regexp.MustCompile(kvFields + `:ok, :f :get, :key ".*", :value "(.*)"}`)
	okPut        = regexp.MustCompile(kvFields + `:ok, :f :put, :key ".*", :value ".*"}`)
	okAppend     = regexp.MustCompile(kvFields + `:ok, :f :append, :key ".*", :value ".*"}`)
)

func parseKv(path string) []porcupine.Event {
	h := &events{pending: map[int]int{}}
	for _, line := range readLines(path) {
		if m := invokeGet.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), kvInput{op: 0, key: m[2]})
		} else if m := invokePut.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), kvInput{op: 1, key: m[2], value: m[3]})
		} else if m := invokeAppend.FindStringSubmatch(line); m != nil {
			h.call(atoi(m[1]), kvInput{op: 2, key: m[2], value: m[3]})
		} else if m := okGet.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), kvOutput{m[2]})
		} else if m := okPut.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), kvOutput{})
		} else if m := okAppend.FindStringSubmatch(line); m != nil {
			h.ret(atoi(m[1]), kvOutput{})
		}
	}
	return h.finish(kvOutput{})
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
	list := flag.String("list", "", "the histories: lines \"<id>\\t<etcd|kv>\\t<path>\"")
	timeout := flag.Duration("timeout", 60*time.Second, "time budget per history and run")
	minRuns := flag.Int("runs", 3, "runs per history (more for fast ones, up to -budget)")
	budget := flag.Duration("budget", 300*time.Millisecond, "keep repeating a history while its runs took less than this")
	flag.Parse()
	if *list == "" {
		fail("-list is required")
	}
	out := json.NewEncoder(os.Stdout)
	for _, line := range readLines(*list) {
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			fail("%s: expected \"<id>\\t<format>\\t<path>\", got %q", *list, line)
		}
		id, format, path := fields[0], fields[1], fields[2]
		var history []porcupine.Event
		model := registerModel
		switch format {
		case "etcd":
			history = parseEtcd(path)
		case "kv":
			history = parseKv(path)
			model = kvModel
		default:
			fail("%s: unknown format %q", id, format)
		}
		// One untimed run first, as on the TypeScript side (where it lets the JIT compile the search).
		porcupine.CheckEventsTimeout(model, history, *timeout)
		var runs []float64
		var verdict porcupine.CheckResult
		total := time.Duration(0)
		for len(runs) < *minRuns || (total < *budget && len(runs) < 50) {
			start := time.Now()
			verdict = porcupine.CheckEventsTimeout(model, history, *timeout)
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
