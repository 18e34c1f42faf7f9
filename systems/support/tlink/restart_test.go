package tlink

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A restarted process's tracer opens the next file of its instance, its clock continuing the last record's.
func TestOpenAfterRestartContinues(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(dir, "A", "1", "A.loop")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s := first.Begin(Clock{{"B", "2"}: 5})
		if err := s.Commit("A.loop"); err != nil {
			t.Fatal(err)
		}
	}
	first.Close() // a SIGKILL closes nothing either: the lines are already written
	second, err := Open(dir, "A", "1", "A.loop")
	if err != nil {
		t.Fatal(err)
	}
	s := second.Begin()
	if err := s.Commit("A.next"); err != nil {
		t.Fatal(err)
	}
	second.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "trace-1-*.log"))
	fs, _ := earlier(dir, "1")
	if len(files) != 2 || len(fs) != 2 || fs[1].n != fs[0].n+1 {
		t.Fatalf("files %v, want two whose n are consecutive", files)
	}
	b, _ := os.ReadFile(fs[1].path)
	var l Line
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(b))), &l); err != nil {
		t.Fatal(err)
	}
	c := FromEntries(l.Clock)
	if c[Instance{"A", "1"}] != 4 || c[Instance{"B", "2"}] != 5 || l.CSElements[0].Value != `"A.loop"` {
		t.Fatalf("second incarnation's first record: clock %v, pc %s; want A:1 = 4, B:2 = 5, pc A.loop", c, l.CSElements[0].Value)
	}
}
