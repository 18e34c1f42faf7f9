package config

import (
	"os"
	"strings"
	"testing"
)

func TestReadsTheAntithesisConfig(t *testing.T) {
	c, err := Read("../../../antithesis/raftkvs/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.NumServers != 3 || c.NumClients != 3 || c.Servers[2].MailboxAddr != "server2:8000" || c.Clients[3].MailboxAddr != "client3:8000" {
		t.Fatalf("unexpected config %+v", c)
	}
	if c.LeaderElection.Timeout.Milliseconds() != 150 || c.Mailboxes.ReceiveChanSize != 10000 || !c.Persist {
		t.Fatalf("unexpected values %+v", c)
	}
}

func TestRefusesInvalidConfigNamingTheKey(t *testing.T) {
	good, err := os.ReadFile("../../../antithesis/raftkvs/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ from, to, want string }{
		{"numServers: 3", "numServers: 4", "numServers"},
		{"numClients: 3", "numClients: zero", "numClients"},
		{"timeout: 150ms", "timeout: soon", "leaderElection.timeout"},
		{"receiveChanSize: 10000", "receiveChanSize: -1", "mailboxes.receiveChanSize"},
		{"persist: true", "persist: maybe", "persist"},
		{"persist: true", "persist: true\nbogus: 1", "bogus"},
		{"    mailboxAddr: \"client3:8000\"", "    mailboxAddr: 3", "clients.3.mailboxAddr"},
	}
	for _, tc := range cases {
		doc := strings.Replace(string(good), tc.from, tc.to, 1)
		if doc == string(good) {
			t.Fatalf("case %q did not change the document", tc.from)
		}
		_, err := Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q -> %q: got error %v, want one naming %q", tc.from, tc.to, err, tc.want)
		}
	}
}
