package wire

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"pgoharness.local/raftkvs/raft"
)

// The client's traced values must have exactly the shapes of PGo's AClient traces, so that the history
// derived from the corpus and from our traces is the same. This regenerates the values of the first operations
// of a corpus run (1 server, client self 7) and requires each to appear verbatim in that run's AClient trace.
func TestClientValuesMatchTheCorpus(t *testing.T) {
	files, err := filepath.Glob("../../../testdata/tracelink/pgo/raftkvs-1server/ok/12183258352510483490/trace-7-*.log")
	if err != nil || len(files) != 1 {
		t.Fatalf("corpus AClient trace not found (%v, %v)", files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]map[string]bool{} // name -> values
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			CSElements []struct {
				Name  struct{ Name string }
				Tag   string
				Value string
			}
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		for _, e := range rec.CSElements {
			k := e.Name.Name + "/" + e.Tag
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			seen[k][e.Value] = true
		}
	}
	put := raft.Command{Idx: 1, Type: "put", Key: "key1", Value: "value0"}
	get := raft.Command{Idx: 2, Type: "get", Key: "key1"}
	want := map[string][]string{
		"reqCh/read": {RequestValue(put), RequestValue(get)},
		"net/write": {
			MsgValue(raft.Message{Type: raft.ClientPutRequest, Source: 7, Dest: 1, Cmd: &put}),
			MsgValue(raft.Message{Type: raft.ClientGetRequest, Source: 7, Dest: 1, Cmd: &get}),
		},
		"respCh/write": {
			MsgValue(raft.Message{Type: raft.ClientPutResponse, Source: 1, Dest: 7, Success: true, LeaderHint: 1,
				Response: &raft.Response{Idx: 1, Key: "key1", Value: "value0", OK: true}}),
			MsgValue(raft.Message{Type: raft.ClientGetResponse, Source: 1, Dest: 7, Success: true, LeaderHint: 1,
				Response: &raft.Response{Idx: 2, Key: "key1", Value: "value0", OK: true}}),
		},
	}
	for k, vs := range want {
		for _, v := range vs {
			if !seen[k][v] {
				t.Errorf("%s value %s does not occur in the corpus trace", k, v)
			}
		}
	}
}
