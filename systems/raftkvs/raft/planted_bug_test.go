package raft

import "testing"

// With the planted bug a leader of three counts a client's entry committed before any follower stores it;
// without it, not. An unknown bug name is refused.
func TestPlantedMinorityCommit(t *testing.T) {
	for _, bug := range []string{"", BugMinorityCommit} {
		n, err := NewNode(Config{ID: 1, Peers: []int{1, 2, 3}, ElectionTicks: 10, HeartbeatTicks: 2, Rand: func(int) int { return 0 }, PlantedBug: bug})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Campaign(); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Step(Message{Type: RequestVoteResponse, Source: 2, Dest: 1, Term: n.Term(), VoteGranted: true}); err != nil {
			t.Fatal(err)
		}
		n.BecomeLeader()
		if n.State() != Leader {
			t.Fatalf("bug %q: not leader after a quorum of votes", bug)
		}
		if _, err := n.Step(Message{Type: ClientPutRequest, Source: 100, Dest: 1, Cmd: &Command{Idx: 1, Type: "put", Key: "k", Value: "v"}}); err != nil {
			t.Fatal(err)
		}
		want := 0
		if bug == BugMinorityCommit {
			want = 1
		}
		if got := n.CommitTarget(); got != want {
			t.Errorf("bug %q: commit target with no follower's ack is %d, want %d", bug, got, want)
		}
	}
	if _, err := NewNode(Config{ID: 1, Peers: []int{1}, ElectionTicks: 10, HeartbeatTicks: 2, Rand: func(int) int { return 0 }, PlantedBug: "nope"}); err == nil {
		t.Error("an unknown planted bug was accepted")
	}
}
