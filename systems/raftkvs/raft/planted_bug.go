package raft

import "fmt"

// A deliberate bug, off by default, for testing the tests: with PlantedBug "minority-commit" the leader counts
// an entry committed as soon as it stores it itself, a minority of any cluster of three or more. Without faults
// every entry still reaches the followers a moment later and the runs pass; when the leader is cut off from
// the others it keeps answering its clients, and once a new leader takes over those acknowledged writes are
// lost (and the leader's own "committed entries never change" assertion fails). Only faults reveal it.
const BugMinorityCommit = "minority-commit"

func checkPlantedBug(bug string) error {
	if bug != "" && bug != BugMinorityCommit {
		return fmt.Errorf("raft: unknown planted bug %q (known: %q)", bug, BugMinorityCommit)
	}
	return nil
}

// commitQuorum is how many servers must store an entry before the leader counts it committed.
func (n *Node) commitQuorum() int {
	if n.cfg.PlantedBug == BugMinorityCommit {
		return 1
	}
	return n.quorum()
}
