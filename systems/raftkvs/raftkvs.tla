------------------------------- MODULE raftkvs -------------------------------
\* The design of this project's raftkvs (systems/raftkvs): a Raft-replicated key-value store, written as Modular
\* PlusCal in PGo's dialect. It describes exactly what the Go servers and clients record in their TraceLink
\* traces: one label per critical section, the variables they read and write, and the messages they send.
\*
\* Archetype k of server i runs as self k*NumServers+i (k = 0..4), client c as self 6*NumServers+c.
\*   AServer                    serverLoop: take a message from net[self];  handleMsg: handle it (Raft's
\*                              RequestVote / AppendEntries handlers, client requests), at most one reply
\*   AServerRequestVote         an election timeout: a new term, a vote for itself, RequestVote to every peer
\*   AServerAppendEntries       the leader sends every peer the entries from its nextIndex (or a heartbeat)
\*   AServerAdvanceCommitIndex  the leader commits what a quorum holds; every server applies up to its commit
\*                              index; the leader answers the clients of the applied entries
\*   AServerBecomeLeader        a candidate holding a quorum of votes becomes leader
\*   AClient                    takes a request from reqCh, sends it to the server it believes leads, and
\*                              writes the response to respCh (or retries another server)
\* The network holds a bag of messages per node: TCP mailboxes from several senders deliver in any order.
\* Several sends in one section go through netAll (the same network, unmapped) with SendEach / SendSeq.
\*
\* Properties checked with TLC (raftkvs.cfg): ElectionSafety, LogMatching, StateMachineSafety (invariants),
\* CommittedStable (a committed entry never changes, a commit index never decreases).

EXTENDS Naturals, Sequences, TLC, FiniteSets, Bags

CONSTANT NumServers
CONSTANT NumClients

\* The strings a client request may carry as key or value.
CONSTANT AllStrings

\* Bounds used by MCConstraint only (model checking); trace validation gives them any value.
CONSTANT MaxTerm
CONSTANT MaxLogLen
CONSTANT MaxInFlight
CONSTANT NumRequests

Nil == 0

Follower  == "follower"
Candidate == "candidate"
Leader    == "leader"

RequestVoteRequest    == "rvq"
RequestVoteResponse   == "rvp"
AppendEntriesRequest  == "apq"
AppendEntriesResponse == "app"
ClientPutRequest      == "cpq"
ClientPutResponse     == "cpp"
ClientGetRequest      == "cgq"
ClientGetResponse     == "cgp"

Put == "put"
Get == "get"

ServerSet == 1..NumServers
ServerRequestVoteSet        == (1*NumServers+1)..(2*NumServers)
ServerAppendEntriesSet      == (2*NumServers+1)..(3*NumServers)
ServerAdvanceCommitIndexSet == (3*NumServers+1)..(4*NumServers)
ServerBecomeLeaderSet       == (4*NumServers+1)..(5*NumServers)
ClientSet == (6*NumServers+1)..(6*NumServers+NumClients)
NodeSet   == ServerSet \cup ClientSet

AllReqs == [type: {Put}, key: AllStrings, value: AllStrings] \cup [type: {Get}, key: AllStrings]

Min2(a, b) == IF a < b THEN a ELSE b
Max2(a, b) == IF a > b THEN a ELSE b

isQuorum(s) == Cardinality(s) * 2 > NumServers

LastTerm(xlog) == IF Len(xlog) = 0 THEN 0 ELSE xlog[Len(xlog)].term

\* The term of entry k, 0 outside the log.
TermAt(xlog, k) == IF k > 0 /\ k <= Len(xlog) THEN xlog[k].term ELSE 0

\* AppendEntries on a follower: the position in entries (which follow prev) of the first entry whose slot the
\* log lacks or holds with another term; Len(entries)+1 when the log already has them all.
RECURSIVE FirstNew(_, _, _, _)
FirstNew(xlog, prev, entries, k) ==
    IF k > Len(entries) THEN k
    ELSE IF prev + k <= Len(xlog) /\ xlog[prev + k].term = entries[k].term
         THEN FirstNew(xlog, prev, entries, k + 1)
         ELSE k

\* The leader's commit target: scanning down from its last entry while entries are of its term, the highest
\* index that a quorum (by matchIndex, its own included) holds.
RECURSIVE CommitScan(_, _, _, _, _, _)
CommitScan(xlog, term, i, match, commit, idx) ==
    IF idx <= commit THEN commit
    ELSE IF xlog[idx].term /= term THEN commit
    ELSE IF isQuorum({p \in ServerSet : match[<<i, p>>] >= idx}) THEN idx
    ELSE CommitScan(xlog, term, i, match, commit, idx - 1)

CommitTarget(xlog, term, i, match, commit) == CommitScan(xlog, term, i, match, commit, Len(xlog))

\* Applying the log: a retried request (the same command as its client's previous entry) is applied once and
\* answered again with its first response.
RECURSIVE PrevOfClient(_, _, _)
PrevOfClient(xlog, c, j) ==
    IF j = 0 THEN 0
    ELSE IF xlog[j].client = c THEN j
    ELSE PrevOfClient(xlog, c, j - 1)

IsRetry(xlog, k) ==
    LET j == PrevOfClient(xlog, xlog[k].client, k - 1)
    IN  j > 0 /\ xlog[j].cmd = xlog[k].cmd

\* <<v>> when key holds v once entries 1..j are applied, <<>> when it holds nothing.
RECURSIVE ValueAfter(_, _, _)
ValueAfter(xlog, key, j) ==
    IF j = 0 THEN <<>>
    ELSE IF /\ xlog[j].cmd.type = Put
            /\ xlog[j].cmd.key = key
            /\ \lnot IsRetry(xlog, j)
         THEN <<xlog[j].cmd.value>>
         ELSE ValueAfter(xlog, key, j - 1)

\* The response to the command of entry k (a get of a missing key reads Nil, ok FALSE).
RECURSIVE ResponseOf(_, _)
ResponseOf(xlog, k) ==
    IF IsRetry(xlog, k)
    THEN ResponseOf(xlog, PrevOfClient(xlog, xlog[k].client, k - 1))
    ELSE LET cmd == xlog[k].cmd
         IN  IF cmd.type = Put
             THEN [idx |-> cmd.idx, key |-> cmd.key, value |-> cmd.value, ok |-> TRUE]
             ELSE LET v == ValueAfter(xlog, cmd.key, k - 1)
                  IN  [idx |-> cmd.idx, key |-> cmd.key,
                       value |-> IF v = <<>> THEN Nil ELSE v[1], ok |-> v /= <<>>]

ReplyMsg(xlog, k, i) ==
    [mtype       |-> IF xlog[k].cmd.type = Put THEN ClientPutResponse ELSE ClientGetResponse,
     msuccess    |-> TRUE,
     mresponse   |-> ResponseOf(xlog, k),
     mleaderHint |-> i,
     msource     |-> i,
     mdest       |-> xlog[k].client]

AppendEntriesMsg(i, j, term, xlog, next, commit) ==
    [mtype         |-> AppendEntriesRequest,
     mterm         |-> term,
     mprevLogIndex |-> next - 1,
     mprevLogTerm  |-> TermAt(xlog, next - 1),
     mentries      |-> SubSeq(xlog, next, Len(xlog)),
     mcommitIndex  |-> commit,
     msource       |-> i,
     mdest         |-> j]

RequestVoteMsg(i, j, term, xlog) ==
    [mtype         |-> RequestVoteRequest,
     mterm         |-> term,
     mlastLogTerm  |-> LastTerm(xlog),
     mlastLogIndex |-> Len(xlog),
     msource       |-> i,
     mdest         |-> j]

\* The network with every message of the set ms (at most one per destination) added.
SendEach(net, ms) == [d \in DOMAIN net |-> net[d] (+) SetToBag({msg \in ms : msg.mdest = d})]

\* The network with every message of the sequence ms added (equal messages count as often as they occur).
RECURSIVE SendSeq(_, _)
SendSeq(net, ms) ==
    IF ms = <<>> THEN net
    ELSE SendSeq([net EXCEPT ![Head(ms).mdest] = @ (+) SetToBag({Head(ms)})], Tail(ms))

(********************

--mpcal raftkvs {

    macro StepDown(i, term, state, currentTerm, votedFor, votesGranted) {
        currentTerm[i]  := term;
        state[i]        := Follower;
        votedFor[i]     := Nil;
        votesGranted[i] := {};
    }

    \* A message is taken out of the destination's bag in any order; a send adds one.
    mapping macro Mailbox {
        read {
            await BagCardinality($variable) > 0;
            with (msg \in BagToSet($variable)) {
                $variable := $variable (-) SetToBag({msg});
                yield msg;
            };
        }

        write {
            yield $variable (+) SetToBag({$value});
        }
    }

    \* A log is written as [from |-> k, entries |-> es]: entries from k on are replaced by es (an append when k
    \* is one past the end). Reads give the log.
    mapping macro LogWrites {
        read {
            yield $variable;
        }

        write {
            yield SubSeq($variable, 1, $value.from - 1) \o $value.entries;
        }
    }

    \* The workload: any request.
    mapping macro Requests {
        read {
            with (req \in AllReqs) {
                yield req;
            };
        }

        write {
            assert FALSE;
        }
    }

    archetype AServer(
        ref net[_], ref state[_], ref currentTerm[_], ref votedFor[_], ref votesGranted[_],
        ref log[_], ref commitIndex[_], ref nextIndex, ref matchIndex
    )
    variables m;
    {
    serverLoop:
        while (TRUE) {
            m := net[self];

        handleMsg:
            if (m.mtype = RequestVoteRequest) {
                if (m.mterm > currentTerm[self]) {
                    StepDown(self, m.mterm, state, currentTerm, votedFor, votesGranted);
                };
                with (
                    upToDate = \/ m.mlastLogTerm > LastTerm(log[self])
                               \/ /\ m.mlastLogTerm = LastTerm(log[self])
                                  /\ m.mlastLogIndex >= Len(log[self]),
                    grant    = /\ m.mterm = currentTerm[self]
                               /\ votedFor[self] \in {Nil, m.msource}
                               /\ upToDate
                ) {
                    if (grant) {
                        votedFor[self] := m.msource;
                    };
                    net[m.msource] := [
                        mtype        |-> RequestVoteResponse,
                        mterm        |-> currentTerm[self],
                        mvoteGranted |-> grant,
                        msource      |-> self,
                        mdest        |-> m.msource
                    ];
                };
            } else if (m.mtype = RequestVoteResponse) {
                if (m.mterm > currentTerm[self]) {
                    StepDown(self, m.mterm, state, currentTerm, votedFor, votesGranted);
                };
                if (
                    /\ m.mterm = currentTerm[self]
                    /\ state[self] = Candidate
                    /\ m.mvoteGranted
                ) {
                    votesGranted[self] := votesGranted[self] \cup {m.msource};
                };
            } else if (m.mtype = AppendEntriesRequest) {
                if (m.mterm > currentTerm[self]) {
                    StepDown(self, m.mterm, state, currentTerm, votedFor, votesGranted);
                };
                if (m.mterm < currentTerm[self]) {
                    net[m.msource] := [
                        mtype       |-> AppendEntriesResponse,
                        mterm       |-> currentTerm[self],
                        msuccess    |-> FALSE,
                        mmatchIndex |-> 0,
                        msource     |-> self,
                        mdest       |-> m.msource
                    ];
                } else {
                    \* a leader of this term: a candidate gives up
                    if (state[self] = Candidate) {
                        state[self]        := Follower;
                        votesGranted[self] := {};
                    };
                    if (
                        \/ m.mprevLogIndex > Len(log[self])
                        \/ TermAt(log[self], m.mprevLogIndex) /= m.mprevLogTerm
                    ) {
                        \* tell the leader how much of the log it may keep
                        net[m.msource] := [
                            mtype       |-> AppendEntriesResponse,
                            mterm       |-> currentTerm[self],
                            msuccess    |-> FALSE,
                            mmatchIndex |-> Min2(Len(log[self]), m.mprevLogIndex - 1),
                            msource     |-> self,
                            mdest       |-> m.msource
                        ];
                    } else {
                        with (
                            k    = FirstNew(log[self], m.mprevLogIndex, m.mentries, 1),
                            last = m.mprevLogIndex + Len(m.mentries)
                        ) {
                            if (k <= Len(m.mentries)) {
                                log[self] := [
                                    from    |-> m.mprevLogIndex + k,
                                    entries |-> SubSeq(m.mentries, k, Len(m.mentries))
                                ];
                            };
                            if (m.mcommitIndex > commitIndex[self]) {
                                commitIndex[self] := Min2(m.mcommitIndex, last);
                            };
                            net[m.msource] := [
                                mtype       |-> AppendEntriesResponse,
                                mterm       |-> currentTerm[self],
                                msuccess    |-> TRUE,
                                mmatchIndex |-> last,
                                msource     |-> self,
                                mdest       |-> m.msource
                            ];
                        };
                    };
                };
            } else if (m.mtype = AppendEntriesResponse) {
                if (m.mterm > currentTerm[self]) {
                    StepDown(self, m.mterm, state, currentTerm, votedFor, votesGranted);
                };
                if (
                    /\ m.mterm = currentTerm[self]
                    /\ state[self] = Leader
                ) {
                    with (p = <<self, m.msource>>) {
                        if (m.msuccess) {
                            matchIndex := [matchIndex EXCEPT ![p] = Max2(@, m.mmatchIndex)];
                            nextIndex  := [nextIndex EXCEPT ![p] = Max2(@, m.mmatchIndex + 1)];
                        } else {
                            nextIndex  := [nextIndex EXCEPT ![p] = Max2(1, Min2(@ - 1, m.mmatchIndex + 1))];
                        };
                    };
                };
            } else if (
                \/ m.mtype = ClientPutRequest
                \/ m.mtype = ClientGetRequest
            ) {
                if (state[self] = Leader) {
                    log[self] := [
                        from    |-> Len(log[self]) + 1,
                        entries |-> <<[term |-> currentTerm[self], cmd |-> m.mcmd, client |-> m.msource]>>
                    ];
                    matchIndex := [matchIndex EXCEPT ![<<self, self>>] = Len(log[self])];
                } else {
                    \* not the leader: refuse, with a hint where to go
                    with (hint \in ServerSet \cup {Nil}) {
                        net[m.msource] := [
                            mtype       |-> IF m.mtype = ClientPutRequest
                                            THEN ClientPutResponse
                                            ELSE ClientGetResponse,
                            msuccess    |-> FALSE,
                            mresponse   |-> [idx |-> m.mcmd.idx, key |-> m.mcmd.key],
                            mleaderHint |-> hint,
                            msource     |-> self,
                            mdest       |-> m.msource
                        ];
                    };
                };
            };
        };
    }

    archetype AServerRequestVote(
        srvId, ref net[_], ref netAll,
        ref state[_], ref currentTerm[_], ref votedFor[_], ref votesGranted[_], ref log[_]
    )
    {
    serverRequestVoteLoop:
        while (TRUE) {
            \* the election timer fired
            await state[srvId] \in {Follower, Candidate};
            state[srvId]        := Candidate;
            currentTerm[srvId]  := currentTerm[srvId] + 1;
            votedFor[srvId]     := srvId;
            votesGranted[srvId] := {srvId};
            netAll := SendEach(netAll, {
                RequestVoteMsg(srvId, j, currentTerm[srvId], log[srvId]) : j \in ServerSet \ {srvId}
            });
        };
    }

    archetype AServerAppendEntries(
        srvId, ref net[_], ref netAll,
        ref state[_], ref currentTerm[_], ref log[_], ref commitIndex[_], ref nextIndex
    )
    {
    serverAppendEntriesLoop:
        while (TRUE) {
            \* a heartbeat is due, or there are entries to send
            await state[srvId] = Leader;
            netAll := SendEach(netAll, {
                AppendEntriesMsg(srvId, j, currentTerm[srvId], log[srvId], nextIndex[<<srvId, j>>], commitIndex[srvId])
                    : j \in ServerSet \ {srvId}
            });
        };
    }

    archetype AServerAdvanceCommitIndex(
        srvId, ref net[_], ref netAll,
        ref state[_], ref currentTerm[_], ref log[_], ref commitIndex[_], ref lastApplied[_], ref matchIndex
    )
    {
    serverAdvanceCommitIndexLoop:
        while (TRUE) {
            with (
                target    = IF state[srvId] = Leader
                            THEN CommitTarget(log[srvId], currentTerm[srvId], srvId, matchIndex, commitIndex[srvId])
                            ELSE commitIndex[srvId],
                newCommit = Max2(target, commitIndex[srvId]),
                applied   = lastApplied[srvId]
            ) {
                await newCommit > applied;
                commitIndex[srvId] := newCommit;
                if (state[srvId] = Leader) {
                    netAll := SendSeq(netAll, [k \in 1..(newCommit - applied) |-> ReplyMsg(log[srvId], applied + k, srvId)]);
                };
                lastApplied[srvId] := newCommit;
            };
        };
    }

    archetype AServerBecomeLeader(
        srvId, ref state[_], ref votesGranted[_], ref log[_], ref nextIndex, ref matchIndex
    )
    {
    serverBecomeLeaderLoop:
        while (TRUE) {
            await state[srvId] = Candidate;
            await isQuorum(votesGranted[srvId]);
            state[srvId] := Leader;
            nextIndex  := [p \in DOMAIN nextIndex |->
                              IF p[1] = srvId THEN Len(log[srvId]) + 1 ELSE nextIndex[p]];
            matchIndex := [p \in DOMAIN matchIndex |->
                              IF p[1] = srvId
                              THEN (IF p[2] = srvId THEN Len(log[srvId]) ELSE 0)
                              ELSE matchIndex[p]];
        };
    }

    archetype AClient(ref net[_], ref reqCh, ref respCh)
    variables leader = Nil, req, resp, reqIdx = 0;
    {
    clientLoop:
        while (TRUE) {
            req    := reqCh;
            reqIdx := reqIdx + 1;

        sndReq:
            if (leader = Nil) {
                with (srv \in ServerSet) {
                    leader := srv;
                };
            };
            net[leader] := [
                mtype   |-> IF req.type = Put THEN ClientPutRequest ELSE ClientGetRequest,
                mcmd    |-> IF req.type = Put
                            THEN [idx |-> reqIdx, type |-> Put, key |-> req.key, value |-> req.value]
                            ELSE [idx |-> reqIdx, type |-> Get, key |-> req.key],
                msource |-> self,
                mdest   |-> leader
            ];

        rcvResp:
            either {
                resp := net[self];
                if (resp.mresponse.idx /= reqIdx) {
                    \* a late answer to an earlier attempt
                    goto rcvResp;
                } else if (\lnot resp.msuccess) {
                    with (srv \in ServerSet) {
                        leader := srv;
                    };
                    goto sndReq;
                } else {
                    leader := resp.msource;
                    respCh := resp;
                };
            } or {
                \* no answer in time: try another server
                with (srv \in ServerSet) {
                    leader := srv;
                };
                goto sndReq;
            };
        };
    }

    variables
        network      = [i \in NodeSet |-> EmptyBag];
        state        = [i \in ServerSet |-> Follower];
        currentTerm  = [i \in ServerSet |-> 0];
        votedFor     = [i \in ServerSet |-> Nil];
        votesGranted = [i \in ServerSet |-> {}];
        log          = [i \in ServerSet |-> <<>>];
        commitIndex  = [i \in ServerSet |-> 0];
        lastApplied  = [i \in ServerSet |-> 0];
        nextIndex    = [p \in ServerSet \X ServerSet |-> 1];
        matchIndex   = [p \in ServerSet \X ServerSet |-> 0];
        reqCh        = <<>>;
        respCh;

        requestVoteSrvId        = [i \in ServerRequestVoteSet        |-> i - 1*NumServers];
        appendEntriesSrvId      = [i \in ServerAppendEntriesSet      |-> i - 2*NumServers];
        advanceCommitIndexSrvId = [i \in ServerAdvanceCommitIndexSet |-> i - 3*NumServers];
        becomeLeaderSrvId       = [i \in ServerBecomeLeaderSet       |-> i - 4*NumServers];

    fair process (s0 \in ServerSet) == instance AServer(
        ref network[_], ref state[_], ref currentTerm[_], ref votedFor[_], ref votesGranted[_],
        ref log[_], ref commitIndex[_], ref nextIndex, ref matchIndex
    )
        mapping @1[_] via Mailbox
        mapping @6[_] via LogWrites;

    fair process (s1 \in ServerRequestVoteSet) == instance AServerRequestVote(
        requestVoteSrvId[s1], ref network[_], ref network,
        ref state[_], ref currentTerm[_], ref votedFor[_], ref votesGranted[_], ref log[_]
    )
        mapping @2[_] via Mailbox
        mapping @8[_] via LogWrites;

    fair process (s2 \in ServerAppendEntriesSet) == instance AServerAppendEntries(
        appendEntriesSrvId[s2], ref network[_], ref network,
        ref state[_], ref currentTerm[_], ref log[_], ref commitIndex[_], ref nextIndex
    )
        mapping @2[_] via Mailbox
        mapping @6[_] via LogWrites;

    fair process (s3 \in ServerAdvanceCommitIndexSet) == instance AServerAdvanceCommitIndex(
        advanceCommitIndexSrvId[s3], ref network[_], ref network,
        ref state[_], ref currentTerm[_], ref log[_], ref commitIndex[_], ref lastApplied[_], ref matchIndex
    )
        mapping @2[_] via Mailbox
        mapping @6[_] via LogWrites;

    fair process (s4 \in ServerBecomeLeaderSet) == instance AServerBecomeLeader(
        becomeLeaderSrvId[s4], ref state[_], ref votesGranted[_], ref log[_], ref nextIndex, ref matchIndex
    )
        mapping @4[_] via LogWrites;

    fair process (client \in ClientSet) == instance AClient(ref network[_], ref reqCh, ref respCh)
        mapping @1[_] via Mailbox
        mapping @2 via Requests;
}

\* BEGIN PLUSCAL TRANSLATION
\* stamp mpcal sha256:3936005934ef0a37a80ca125d78b602ec2028ac0f8502c3408cd68ee58c75515
\* stamp pluscal sha256:a4e07ee7379860e2c8b3c9de6736c04a37ab8453869239534e29c51489893c74
\* stamp tla sha256:18e32c386935606355109102889adaf494c10abb4911723c5b731ccd9cda4ad9
--algorithm raftkvs {
  variables network = [i \in NodeSet |-> EmptyBag]; state = [i \in ServerSet |-> Follower]; currentTerm = [i \in ServerSet |-> 0]; votedFor = [i \in ServerSet |-> Nil]; votesGranted = [i \in ServerSet |-> {}]; log = [i \in ServerSet |-> <<>>]; commitIndex = [i \in ServerSet |-> 0]; lastApplied = [i \in ServerSet |-> 0]; nextIndex = [p \in (ServerSet) \X (ServerSet) |-> 1]; matchIndex = [p \in (ServerSet) \X (ServerSet) |-> 0]; reqCh = <<>>; respCh; requestVoteSrvId = [i \in ServerRequestVoteSet |-> (i) - ((1) * (NumServers))]; appendEntriesSrvId = [i \in ServerAppendEntriesSet |-> (i) - ((2) * (NumServers))]; advanceCommitIndexSrvId = [i \in ServerAdvanceCommitIndexSet |-> (i) - ((3) * (NumServers))]; becomeLeaderSrvId = [i \in ServerBecomeLeaderSet |-> (i) - ((4) * (NumServers))];
  
  fair process (s0 \in ServerSet)
    variables m;
  {
    serverLoop:
      if (TRUE) {
        await (BagCardinality((network)[self])) > (0);
        with (msg00 \in BagToSet((network)[self])) {
          network := [network EXCEPT ![self] = ((network)[self]) (-) (SetToBag({msg00}))];
          with (yielded_network1 = msg00) {
            m := yielded_network1;
            goto handleMsg;
          };
        };
      } else {
        goto Done;
      };
    handleMsg:
      if (((m).mtype) = (RequestVoteRequest)) {
        if (((m).mterm) > ((currentTerm)[self])) {
          currentTerm := [currentTerm EXCEPT ![self] = (m).mterm];
          state := [state EXCEPT ![self] = Follower];
          with (votedFor1 = [votedFor EXCEPT ![self] = Nil]) {
            votesGranted := [votesGranted EXCEPT ![self] = {}];
            with (
              yielded_log1 = (log)[self], 
              yielded_log0 = (log)[self], 
              yielded_log = (log)[self], 
              upToDate = (((m).mlastLogTerm) > (LastTerm(yielded_log1))) \/ ((((m).mlastLogTerm) = (LastTerm(yielded_log0))) /\ (((m).mlastLogIndex) >= (Len(yielded_log)))), 
              grant = ((((m).mterm) = ((currentTerm)[self])) /\ (((votedFor1)[self]) \in ({Nil, (m).msource}))) /\ (upToDate)
            ) {
              if (grant) {
                votedFor := [votedFor1 EXCEPT ![self] = (m).msource];
                with (value00 = [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m).msource]) {
                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value00}))];
                  goto serverLoop;
                };
              } else {
                with (value01 = [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m).msource]) {
                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value01}))];
                  votedFor := votedFor1;
                  goto serverLoop;
                };
              };
            };
          };
        } else {
          with (
            yielded_log1 = (log)[self], 
            yielded_log0 = (log)[self], 
            yielded_log = (log)[self], 
            upToDate = (((m).mlastLogTerm) > (LastTerm(yielded_log1))) \/ ((((m).mlastLogTerm) = (LastTerm(yielded_log0))) /\ (((m).mlastLogIndex) >= (Len(yielded_log)))), 
            grant = ((((m).mterm) = ((currentTerm)[self])) /\ (((votedFor)[self]) \in ({Nil, (m).msource}))) /\ (upToDate)
          ) {
            if (grant) {
              votedFor := [votedFor EXCEPT ![self] = (m).msource];
              with (value02 = [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m).msource]) {
                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value02}))];
                goto serverLoop;
              };
            } else {
              with (value03 = [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m).msource]) {
                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value03}))];
                goto serverLoop;
              };
            };
          };
        };
      } else {
        if (((m).mtype) = (RequestVoteResponse)) {
          if (((m).mterm) > ((currentTerm)[self])) {
            currentTerm := [currentTerm EXCEPT ![self] = (m).mterm];
            state := [state EXCEPT ![self] = Follower];
            votedFor := [votedFor EXCEPT ![self] = Nil];
            with (votesGranted2 = [votesGranted EXCEPT ![self] = {}]) {
              if (((((m).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Candidate))) /\ ((m).mvoteGranted)) {
                votesGranted := [votesGranted2 EXCEPT ![self] = ((votesGranted2)[self]) \union ({(m).msource})];
                goto serverLoop;
              } else {
                votesGranted := votesGranted2;
                goto serverLoop;
              };
            };
          } else {
            if (((((m).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Candidate))) /\ ((m).mvoteGranted)) {
              votesGranted := [votesGranted EXCEPT ![self] = ((votesGranted)[self]) \union ({(m).msource})];
              goto serverLoop;
            } else {
              goto serverLoop;
            };
          };
        } else {
          if (((m).mtype) = (AppendEntriesRequest)) {
            if (((m).mterm) > ((currentTerm)[self])) {
              currentTerm := [currentTerm EXCEPT ![self] = (m).mterm];
              with (state1 = [state EXCEPT ![self] = Follower]) {
                votedFor := [votedFor EXCEPT ![self] = Nil];
                with (votesGranted3 = [votesGranted EXCEPT ![self] = {}]) {
                  if (((m).mterm) < ((currentTerm)[self])) {
                    with (value10 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> 0, msource |-> self, mdest |-> (m).msource]) {
                      network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value10}))];
                      votesGranted := votesGranted3;
                      state := state1;
                      goto serverLoop;
                    };
                  } else {
                    if (((state1)[self]) = (Candidate)) {
                      state := [state1 EXCEPT ![self] = Follower];
                      votesGranted := [votesGranted3 EXCEPT ![self] = {}];
                      with (
                        yielded_log5 = (log)[self], 
                        yielded_log4 = (log)[self]
                      ) {
                        if ((((m).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m).mprevLogIndex)) # ((m).mprevLogTerm))) {
                          with (
                            yielded_log20 = (log)[self], 
                            value20 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log20), ((m).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m).msource]
                          ) {
                            network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value20}))];
                            goto serverLoop;
                          };
                        } else {
                          with (
                            yielded_log3 = (log)[self], 
                            k = FirstNew(yielded_log3, (m).mprevLogIndex, (m).mentries, 1), 
                            last = ((m).mprevLogIndex) + (Len((m).mentries))
                          ) {
                            if ((k) <= (Len((m).mentries))) {
                              with (value30 = [from |-> ((m).mprevLogIndex) + (k), entries |-> SubSeq((m).mentries, k, Len((m).mentries))]) {
                                log := [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value30).from) - (1))) \o ((value30).entries)];
                                if (((m).mcommitIndex) > ((commitIndex)[self])) {
                                  commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                                  with (value40 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                    network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value40}))];
                                    goto serverLoop;
                                  };
                                } else {
                                  with (value41 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                    network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value41}))];
                                    goto serverLoop;
                                  };
                                };
                              };
                            } else {
                              if (((m).mcommitIndex) > ((commitIndex)[self])) {
                                commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                                with (value42 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value42}))];
                                  goto serverLoop;
                                };
                              } else {
                                with (value43 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value43}))];
                                  goto serverLoop;
                                };
                              };
                            };
                          };
                        };
                      };
                    } else {
                      with (
                        yielded_log5 = (log)[self], 
                        yielded_log4 = (log)[self]
                      ) {
                        if ((((m).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m).mprevLogIndex)) # ((m).mprevLogTerm))) {
                          with (
                            yielded_log21 = (log)[self], 
                            value21 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log21), ((m).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m).msource]
                          ) {
                            network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value21}))];
                            votesGranted := votesGranted3;
                            state := state1;
                            goto serverLoop;
                          };
                        } else {
                          with (
                            yielded_log3 = (log)[self], 
                            k = FirstNew(yielded_log3, (m).mprevLogIndex, (m).mentries, 1), 
                            last = ((m).mprevLogIndex) + (Len((m).mentries))
                          ) {
                            if ((k) <= (Len((m).mentries))) {
                              with (value31 = [from |-> ((m).mprevLogIndex) + (k), entries |-> SubSeq((m).mentries, k, Len((m).mentries))]) {
                                log := [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value31).from) - (1))) \o ((value31).entries)];
                                if (((m).mcommitIndex) > ((commitIndex)[self])) {
                                  commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                                  with (value44 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                    network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value44}))];
                                    votesGranted := votesGranted3;
                                    state := state1;
                                    goto serverLoop;
                                  };
                                } else {
                                  with (value45 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                    network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value45}))];
                                    votesGranted := votesGranted3;
                                    state := state1;
                                    goto serverLoop;
                                  };
                                };
                              };
                            } else {
                              if (((m).mcommitIndex) > ((commitIndex)[self])) {
                                commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                                with (value46 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value46}))];
                                  votesGranted := votesGranted3;
                                  state := state1;
                                  goto serverLoop;
                                };
                              } else {
                                with (value47 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value47}))];
                                  votesGranted := votesGranted3;
                                  state := state1;
                                  goto serverLoop;
                                };
                              };
                            };
                          };
                        };
                      };
                    };
                  };
                };
              };
            } else {
              if (((m).mterm) < ((currentTerm)[self])) {
                with (value11 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> 0, msource |-> self, mdest |-> (m).msource]) {
                  network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value11}))];
                  goto serverLoop;
                };
              } else {
                if (((state)[self]) = (Candidate)) {
                  state := [state EXCEPT ![self] = Follower];
                  votesGranted := [votesGranted EXCEPT ![self] = {}];
                  with (
                    yielded_log5 = (log)[self], 
                    yielded_log4 = (log)[self]
                  ) {
                    if ((((m).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m).mprevLogIndex)) # ((m).mprevLogTerm))) {
                      with (
                        yielded_log22 = (log)[self], 
                        value22 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log22), ((m).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m).msource]
                      ) {
                        network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value22}))];
                        goto serverLoop;
                      };
                    } else {
                      with (
                        yielded_log3 = (log)[self], 
                        k = FirstNew(yielded_log3, (m).mprevLogIndex, (m).mentries, 1), 
                        last = ((m).mprevLogIndex) + (Len((m).mentries))
                      ) {
                        if ((k) <= (Len((m).mentries))) {
                          with (value32 = [from |-> ((m).mprevLogIndex) + (k), entries |-> SubSeq((m).mentries, k, Len((m).mentries))]) {
                            log := [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value32).from) - (1))) \o ((value32).entries)];
                            if (((m).mcommitIndex) > ((commitIndex)[self])) {
                              commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                              with (value48 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value48}))];
                                goto serverLoop;
                              };
                            } else {
                              with (value49 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value49}))];
                                goto serverLoop;
                              };
                            };
                          };
                        } else {
                          if (((m).mcommitIndex) > ((commitIndex)[self])) {
                            commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                            with (value410 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                              network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value410}))];
                              goto serverLoop;
                            };
                          } else {
                            with (value411 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                              network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value411}))];
                              goto serverLoop;
                            };
                          };
                        };
                      };
                    };
                  };
                } else {
                  with (
                    yielded_log5 = (log)[self], 
                    yielded_log4 = (log)[self]
                  ) {
                    if ((((m).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m).mprevLogIndex)) # ((m).mprevLogTerm))) {
                      with (
                        yielded_log23 = (log)[self], 
                        value23 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log23), ((m).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m).msource]
                      ) {
                        network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value23}))];
                        goto serverLoop;
                      };
                    } else {
                      with (
                        yielded_log3 = (log)[self], 
                        k = FirstNew(yielded_log3, (m).mprevLogIndex, (m).mentries, 1), 
                        last = ((m).mprevLogIndex) + (Len((m).mentries))
                      ) {
                        if ((k) <= (Len((m).mentries))) {
                          with (value33 = [from |-> ((m).mprevLogIndex) + (k), entries |-> SubSeq((m).mentries, k, Len((m).mentries))]) {
                            log := [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value33).from) - (1))) \o ((value33).entries)];
                            if (((m).mcommitIndex) > ((commitIndex)[self])) {
                              commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                              with (value412 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value412}))];
                                goto serverLoop;
                              };
                            } else {
                              with (value413 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                                network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value413}))];
                                goto serverLoop;
                              };
                            };
                          };
                        } else {
                          if (((m).mcommitIndex) > ((commitIndex)[self])) {
                            commitIndex := [commitIndex EXCEPT ![self] = Min2((m).mcommitIndex, last)];
                            with (value414 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                              network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value414}))];
                              goto serverLoop;
                            };
                          } else {
                            with (value415 = [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m).msource]) {
                              network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value415}))];
                              goto serverLoop;
                            };
                          };
                        };
                      };
                    };
                  };
                };
              };
            };
          } else {
            if (((m).mtype) = (AppendEntriesResponse)) {
              if (((m).mterm) > ((currentTerm)[self])) {
                currentTerm := [currentTerm EXCEPT ![self] = (m).mterm];
                state := [state EXCEPT ![self] = Follower];
                votedFor := [votedFor EXCEPT ![self] = Nil];
                votesGranted := [votesGranted EXCEPT ![self] = {}];
                if ((((m).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Leader))) {
                  with (p = <<self, (m).msource>>) {
                    if ((m).msuccess) {
                      matchIndex := [matchIndex EXCEPT ![p] = Max2(@, (m).mmatchIndex)];
                      nextIndex := [nextIndex EXCEPT ![p] = Max2(@, ((m).mmatchIndex) + (1))];
                      goto serverLoop;
                    } else {
                      nextIndex := [nextIndex EXCEPT ![p] = Max2(1, Min2((@) - (1), ((m).mmatchIndex) + (1)))];
                      goto serverLoop;
                    };
                  };
                } else {
                  goto serverLoop;
                };
              } else {
                if ((((m).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Leader))) {
                  with (p = <<self, (m).msource>>) {
                    if ((m).msuccess) {
                      matchIndex := [matchIndex EXCEPT ![p] = Max2(@, (m).mmatchIndex)];
                      nextIndex := [nextIndex EXCEPT ![p] = Max2(@, ((m).mmatchIndex) + (1))];
                      goto serverLoop;
                    } else {
                      nextIndex := [nextIndex EXCEPT ![p] = Max2(1, Min2((@) - (1), ((m).mmatchIndex) + (1)))];
                      goto serverLoop;
                    };
                  };
                } else {
                  goto serverLoop;
                };
              };
            } else {
              if ((((m).mtype) = (ClientPutRequest)) \/ (((m).mtype) = (ClientGetRequest))) {
                if (((state)[self]) = (Leader)) {
                  with (
                    yielded_log60 = (log)[self], 
                    value50 = [from |-> (Len(yielded_log60)) + (1), entries |-> <<[term |-> (currentTerm)[self], cmd |-> (m).mcmd, client |-> (m).msource]>>]
                  ) {
                    log := [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value50).from) - (1))) \o ((value50).entries)];
                    with (yielded_log70 = (log)[self]) {
                      matchIndex := [matchIndex EXCEPT ![<<self, self>>] = Len(yielded_log70)];
                      goto serverLoop;
                    };
                  };
                } else {
                  with (
                    hint \in (ServerSet) \union ({Nil}), 
                    value60 = [mtype |-> IF ((m).mtype) = (ClientPutRequest) THEN ClientPutResponse ELSE ClientGetResponse, msuccess |-> FALSE, mresponse |-> [idx |-> ((m).mcmd).idx, key |-> ((m).mcmd).key], mleaderHint |-> hint, msource |-> self, mdest |-> (m).msource]
                  ) {
                    network := [network EXCEPT ![(m).msource] = ((network)[(m).msource]) (+) (SetToBag({value60}))];
                    goto serverLoop;
                  };
                };
              } else {
                goto serverLoop;
              };
            };
          };
        };
      };
  }
  
  fair process (s1 \in ServerRequestVoteSet)
    variables srvId = (requestVoteSrvId)[self];
  {
    serverRequestVoteLoop:
      if (TRUE) {
        await ((state)[srvId]) \in ({Follower, Candidate});
        state := [state EXCEPT ![srvId] = Candidate];
        currentTerm := [currentTerm EXCEPT ![srvId] = ((currentTerm)[srvId]) + (1)];
        votedFor := [votedFor EXCEPT ![srvId] = srvId];
        votesGranted := [votesGranted EXCEPT ![srvId] = {srvId}];
        with (yielded_log80 = (log)[srvId]) {
          network := SendEach(network, {RequestVoteMsg(srvId, j, (currentTerm)[srvId], yielded_log80) : j \in (ServerSet) \ ({srvId})});
          goto serverRequestVoteLoop;
        };
      } else {
        goto Done;
      };
  }
  
  fair process (s2 \in ServerAppendEntriesSet)
    variables srvId0 = (appendEntriesSrvId)[self];
  {
    serverAppendEntriesLoop:
      if (TRUE) {
        await ((state)[srvId0]) = (Leader);
        with (yielded_log90 = (log)[srvId0]) {
          network := SendEach(network, {AppendEntriesMsg(srvId0, j, (currentTerm)[srvId0], yielded_log90, (nextIndex)[<<srvId0, j>>], (commitIndex)[srvId0]) : j \in (ServerSet) \ ({srvId0})});
          goto serverAppendEntriesLoop;
        };
      } else {
        goto Done;
      };
  }
  
  fair process (s3 \in ServerAdvanceCommitIndexSet)
    variables srvId1 = (advanceCommitIndexSrvId)[self];
  {
    serverAdvanceCommitIndexLoop:
      if (TRUE) {
        with (
          yielded_log11 = (log)[srvId1], 
          target = IF ((state)[srvId1]) = (Leader) THEN CommitTarget(yielded_log11, (currentTerm)[srvId1], srvId1, matchIndex, (commitIndex)[srvId1]) ELSE (commitIndex)[srvId1], 
          newCommit = Max2(target, (commitIndex)[srvId1]), 
          applied = (lastApplied)[srvId1]
        ) {
          await (newCommit) > (applied);
          commitIndex := [commitIndex EXCEPT ![srvId1] = newCommit];
          if (((state)[srvId1]) = (Leader)) {
            with (yielded_log100 = (log)[srvId1]) {
              network := SendSeq(network, [k \in (1) .. ((newCommit) - (applied)) |-> ReplyMsg(yielded_log100, (applied) + (k), srvId1)]);
              lastApplied := [lastApplied EXCEPT ![srvId1] = newCommit];
              goto serverAdvanceCommitIndexLoop;
            };
          } else {
            lastApplied := [lastApplied EXCEPT ![srvId1] = newCommit];
            goto serverAdvanceCommitIndexLoop;
          };
        };
      } else {
        goto Done;
      };
  }
  
  fair process (s4 \in ServerBecomeLeaderSet)
    variables srvId2 = (becomeLeaderSrvId)[self];
  {
    serverBecomeLeaderLoop:
      if (TRUE) {
        await ((state)[srvId2]) = (Candidate);
        await isQuorum((votesGranted)[srvId2]);
        state := [state EXCEPT ![srvId2] = Leader];
        with (yielded_log120 = (log)[srvId2]) {
          nextIndex := [p \in DOMAIN (nextIndex) |-> IF ((p)[1]) = (srvId2) THEN (Len(yielded_log120)) + (1) ELSE (nextIndex)[p]];
          with (yielded_log130 = (log)[srvId2]) {
            matchIndex := [p \in DOMAIN (matchIndex) |-> IF ((p)[1]) = (srvId2) THEN IF ((p)[2]) = (srvId2) THEN Len(yielded_log130) ELSE 0 ELSE (matchIndex)[p]];
            goto serverBecomeLeaderLoop;
          };
        };
      } else {
        goto Done;
      };
  }
  
  fair process (client \in ClientSet)
    variables leader = Nil; req; resp; reqIdx = 0;
  {
    clientLoop:
      if (TRUE) {
        with (
          req00 \in AllReqs, 
          yielded_reqCh0 = req00
        ) {
          req := yielded_reqCh0;
          reqIdx := (reqIdx) + (1);
          goto sndReq;
        };
      } else {
        goto Done;
      };
    sndReq:
      if ((leader) = (Nil)) {
        with (srv3 \in ServerSet) {
          leader := srv3;
          with (value70 = [mtype |-> IF ((req).type) = (Put) THEN ClientPutRequest ELSE ClientGetRequest, mcmd |-> IF ((req).type) = (Put) THEN [idx |-> reqIdx, type |-> Put, key |-> (req).key, value |-> (req).value] ELSE [idx |-> reqIdx, type |-> Get, key |-> (req).key], msource |-> self, mdest |-> leader]) {
            network := [network EXCEPT ![leader] = ((network)[leader]) (+) (SetToBag({value70}))];
            goto rcvResp;
          };
        };
      } else {
        with (value71 = [mtype |-> IF ((req).type) = (Put) THEN ClientPutRequest ELSE ClientGetRequest, mcmd |-> IF ((req).type) = (Put) THEN [idx |-> reqIdx, type |-> Put, key |-> (req).key, value |-> (req).value] ELSE [idx |-> reqIdx, type |-> Get, key |-> (req).key], msource |-> self, mdest |-> leader]) {
          network := [network EXCEPT ![leader] = ((network)[leader]) (+) (SetToBag({value71}))];
          goto rcvResp;
        };
      };
    rcvResp:
      either {
        await (BagCardinality((network)[self])) > (0);
        with (msg10 \in BagToSet((network)[self])) {
          network := [network EXCEPT ![self] = ((network)[self]) (-) (SetToBag({msg10}))];
          with (yielded_network00 = msg10) {
            resp := yielded_network00;
            if ((((resp).mresponse).idx) # (reqIdx)) {
              goto rcvResp;
            } else {
              if (~ ((resp).msuccess)) {
                with (srv4 \in ServerSet) {
                  leader := srv4;
                  goto sndReq;
                };
              } else {
                leader := (resp).msource;
                respCh := resp;
                goto clientLoop;
              };
            };
          };
        };
      } or {
        with (srv5 \in ServerSet) {
          leader := srv5;
          goto sndReq;
        };
      };
  }
}

\* END PLUSCAL TRANSLATION

********************)
\* BEGIN TRANSLATION
CONSTANT defaultInitValue
VARIABLES pc, network, state, currentTerm, votedFor, votesGranted, log, 
          commitIndex, lastApplied, nextIndex, matchIndex, reqCh, respCh, 
          requestVoteSrvId, appendEntriesSrvId, advanceCommitIndexSrvId, 
          becomeLeaderSrvId, m, srvId, srvId0, srvId1, srvId2, leader, req, 
          resp, reqIdx

vars == << pc, network, state, currentTerm, votedFor, votesGranted, log, 
           commitIndex, lastApplied, nextIndex, matchIndex, reqCh, respCh, 
           requestVoteSrvId, appendEntriesSrvId, advanceCommitIndexSrvId, 
           becomeLeaderSrvId, m, srvId, srvId0, srvId1, srvId2, leader, req, 
           resp, reqIdx >>

ProcSet == (ServerSet) \cup (ServerRequestVoteSet) \cup (ServerAppendEntriesSet) \cup (ServerAdvanceCommitIndexSet) \cup (ServerBecomeLeaderSet) \cup (ClientSet)

Init == (* Global variables *)
        /\ network = [i \in NodeSet |-> EmptyBag]
        /\ state = [i \in ServerSet |-> Follower]
        /\ currentTerm = [i \in ServerSet |-> 0]
        /\ votedFor = [i \in ServerSet |-> Nil]
        /\ votesGranted = [i \in ServerSet |-> {}]
        /\ log = [i \in ServerSet |-> <<>>]
        /\ commitIndex = [i \in ServerSet |-> 0]
        /\ lastApplied = [i \in ServerSet |-> 0]
        /\ nextIndex = [p \in (ServerSet) \X (ServerSet) |-> 1]
        /\ matchIndex = [p \in (ServerSet) \X (ServerSet) |-> 0]
        /\ reqCh = <<>>
        /\ respCh = defaultInitValue
        /\ requestVoteSrvId = [i \in ServerRequestVoteSet |-> (i) - ((1) * (NumServers))]
        /\ appendEntriesSrvId = [i \in ServerAppendEntriesSet |-> (i) - ((2) * (NumServers))]
        /\ advanceCommitIndexSrvId = [i \in ServerAdvanceCommitIndexSet |-> (i) - ((3) * (NumServers))]
        /\ becomeLeaderSrvId = [i \in ServerBecomeLeaderSet |-> (i) - ((4) * (NumServers))]
        (* Process s0 *)
        /\ m = [self \in ServerSet |-> defaultInitValue]
        (* Process s1 *)
        /\ srvId = [self \in ServerRequestVoteSet |-> (requestVoteSrvId)[self]]
        (* Process s2 *)
        /\ srvId0 = [self \in ServerAppendEntriesSet |-> (appendEntriesSrvId)[self]]
        (* Process s3 *)
        /\ srvId1 = [self \in ServerAdvanceCommitIndexSet |-> (advanceCommitIndexSrvId)[self]]
        (* Process s4 *)
        /\ srvId2 = [self \in ServerBecomeLeaderSet |-> (becomeLeaderSrvId)[self]]
        (* Process client *)
        /\ leader = [self \in ClientSet |-> Nil]
        /\ req = [self \in ClientSet |-> defaultInitValue]
        /\ resp = [self \in ClientSet |-> defaultInitValue]
        /\ reqIdx = [self \in ClientSet |-> 0]
        /\ pc = [self \in ProcSet |-> CASE self \in ServerSet -> "serverLoop"
                                        [] self \in ServerRequestVoteSet -> "serverRequestVoteLoop"
                                        [] self \in ServerAppendEntriesSet -> "serverAppendEntriesLoop"
                                        [] self \in ServerAdvanceCommitIndexSet -> "serverAdvanceCommitIndexLoop"
                                        [] self \in ServerBecomeLeaderSet -> "serverBecomeLeaderLoop"
                                        [] self \in ClientSet -> "clientLoop"]

serverLoop(self) == /\ pc[self] = "serverLoop"
                    /\ IF TRUE
                          THEN /\ (BagCardinality((network)[self])) > (0)
                               /\ \E msg00 \in BagToSet((network)[self]):
                                    /\ network' = [network EXCEPT ![self] = ((network)[self]) (-) (SetToBag({msg00}))]
                                    /\ LET yielded_network1 == msg00 IN
                                         /\ m' = [m EXCEPT ![self] = yielded_network1]
                                         /\ pc' = [pc EXCEPT ![self] = "handleMsg"]
                          ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                               /\ UNCHANGED << network, m >>
                    /\ UNCHANGED << state, currentTerm, votedFor, votesGranted, 
                                    log, commitIndex, lastApplied, nextIndex, 
                                    matchIndex, reqCh, respCh, 
                                    requestVoteSrvId, appendEntriesSrvId, 
                                    advanceCommitIndexSrvId, becomeLeaderSrvId, 
                                    srvId, srvId0, srvId1, srvId2, leader, req, 
                                    resp, reqIdx >>

handleMsg(self) == /\ pc[self] = "handleMsg"
                   /\ IF ((m[self]).mtype) = (RequestVoteRequest)
                         THEN /\ IF ((m[self]).mterm) > ((currentTerm)[self])
                                    THEN /\ currentTerm' = [currentTerm EXCEPT ![self] = (m[self]).mterm]
                                         /\ state' = [state EXCEPT ![self] = Follower]
                                         /\ LET votedFor1 == [votedFor EXCEPT ![self] = Nil] IN
                                              /\ votesGranted' = [votesGranted EXCEPT ![self] = {}]
                                              /\ LET yielded_log1 == (log)[self] IN
                                                   LET yielded_log0 == (log)[self] IN
                                                     LET yielded_log == (log)[self] IN
                                                       LET upToDate == (((m[self]).mlastLogTerm) > (LastTerm(yielded_log1))) \/ ((((m[self]).mlastLogTerm) = (LastTerm(yielded_log0))) /\ (((m[self]).mlastLogIndex) >= (Len(yielded_log)))) IN
                                                         LET grant == ((((m[self]).mterm) = ((currentTerm')[self])) /\ (((votedFor1)[self]) \in ({Nil, (m[self]).msource}))) /\ (upToDate) IN
                                                           IF grant
                                                              THEN /\ votedFor' = [votedFor1 EXCEPT ![self] = (m[self]).msource]
                                                                   /\ LET value00 == [mtype |-> RequestVoteResponse, mterm |-> (currentTerm')[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                        /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value00}))]
                                                                        /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                              ELSE /\ LET value01 == [mtype |-> RequestVoteResponse, mterm |-> (currentTerm')[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                        /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value01}))]
                                                                        /\ votedFor' = votedFor1
                                                                        /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                    ELSE /\ LET yielded_log1 == (log)[self] IN
                                              LET yielded_log0 == (log)[self] IN
                                                LET yielded_log == (log)[self] IN
                                                  LET upToDate == (((m[self]).mlastLogTerm) > (LastTerm(yielded_log1))) \/ ((((m[self]).mlastLogTerm) = (LastTerm(yielded_log0))) /\ (((m[self]).mlastLogIndex) >= (Len(yielded_log)))) IN
                                                    LET grant == ((((m[self]).mterm) = ((currentTerm)[self])) /\ (((votedFor)[self]) \in ({Nil, (m[self]).msource}))) /\ (upToDate) IN
                                                      IF grant
                                                         THEN /\ votedFor' = [votedFor EXCEPT ![self] = (m[self]).msource]
                                                              /\ LET value02 == [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                   /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value02}))]
                                                                   /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                         ELSE /\ LET value03 == [mtype |-> RequestVoteResponse, mterm |-> (currentTerm)[self], mvoteGranted |-> grant, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                   /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value03}))]
                                                                   /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                              /\ UNCHANGED votedFor
                                         /\ UNCHANGED << state, currentTerm, 
                                                         votesGranted >>
                              /\ UNCHANGED << log, commitIndex, nextIndex, 
                                              matchIndex >>
                         ELSE /\ IF ((m[self]).mtype) = (RequestVoteResponse)
                                    THEN /\ IF ((m[self]).mterm) > ((currentTerm)[self])
                                               THEN /\ currentTerm' = [currentTerm EXCEPT ![self] = (m[self]).mterm]
                                                    /\ state' = [state EXCEPT ![self] = Follower]
                                                    /\ votedFor' = [votedFor EXCEPT ![self] = Nil]
                                                    /\ LET votesGranted2 == [votesGranted EXCEPT ![self] = {}] IN
                                                         IF ((((m[self]).mterm) = ((currentTerm')[self])) /\ (((state')[self]) = (Candidate))) /\ ((m[self]).mvoteGranted)
                                                            THEN /\ votesGranted' = [votesGranted2 EXCEPT ![self] = ((votesGranted2)[self]) \union ({(m[self]).msource})]
                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                            ELSE /\ votesGranted' = votesGranted2
                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                               ELSE /\ IF ((((m[self]).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Candidate))) /\ ((m[self]).mvoteGranted)
                                                          THEN /\ votesGranted' = [votesGranted EXCEPT ![self] = ((votesGranted)[self]) \union ({(m[self]).msource})]
                                                               /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                          ELSE /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                               /\ UNCHANGED votesGranted
                                                    /\ UNCHANGED << state, 
                                                                    currentTerm, 
                                                                    votedFor >>
                                         /\ UNCHANGED << network, log, 
                                                         commitIndex, 
                                                         nextIndex, matchIndex >>
                                    ELSE /\ IF ((m[self]).mtype) = (AppendEntriesRequest)
                                               THEN /\ IF ((m[self]).mterm) > ((currentTerm)[self])
                                                          THEN /\ currentTerm' = [currentTerm EXCEPT ![self] = (m[self]).mterm]
                                                               /\ LET state1 == [state EXCEPT ![self] = Follower] IN
                                                                    /\ votedFor' = [votedFor EXCEPT ![self] = Nil]
                                                                    /\ LET votesGranted3 == [votesGranted EXCEPT ![self] = {}] IN
                                                                         IF ((m[self]).mterm) < ((currentTerm')[self])
                                                                            THEN /\ LET value10 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> FALSE, mmatchIndex |-> 0, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                      /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value10}))]
                                                                                      /\ votesGranted' = votesGranted3
                                                                                      /\ state' = state1
                                                                                      /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                 /\ UNCHANGED << log, 
                                                                                                 commitIndex >>
                                                                            ELSE /\ IF ((state1)[self]) = (Candidate)
                                                                                       THEN /\ state' = [state1 EXCEPT ![self] = Follower]
                                                                                            /\ votesGranted' = [votesGranted3 EXCEPT ![self] = {}]
                                                                                            /\ LET yielded_log5 == (log)[self] IN
                                                                                                 LET yielded_log4 == (log)[self] IN
                                                                                                   IF (((m[self]).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m[self]).mprevLogIndex)) # ((m[self]).mprevLogTerm))
                                                                                                      THEN /\ LET yielded_log20 == (log)[self] IN
                                                                                                                LET value20 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log20), ((m[self]).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                  /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value20}))]
                                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                           /\ UNCHANGED << log, 
                                                                                                                           commitIndex >>
                                                                                                      ELSE /\ LET yielded_log3 == (log)[self] IN
                                                                                                                LET k == FirstNew(yielded_log3, (m[self]).mprevLogIndex, (m[self]).mentries, 1) IN
                                                                                                                  LET last == ((m[self]).mprevLogIndex) + (Len((m[self]).mentries)) IN
                                                                                                                    IF (k) <= (Len((m[self]).mentries))
                                                                                                                       THEN /\ LET value30 == [from |-> ((m[self]).mprevLogIndex) + (k), entries |-> SubSeq((m[self]).mentries, k, Len((m[self]).mentries))] IN
                                                                                                                                 /\ log' = [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value30).from) - (1))) \o ((value30).entries)]
                                                                                                                                 /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                       THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                            /\ LET value40 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                                 /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value40}))]
                                                                                                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                       ELSE /\ LET value41 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                                 /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value41}))]
                                                                                                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                            /\ UNCHANGED commitIndex
                                                                                                                       ELSE /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                  THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                       /\ LET value42 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                            /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value42}))]
                                                                                                                                            /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                  ELSE /\ LET value43 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                            /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value43}))]
                                                                                                                                            /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                       /\ UNCHANGED commitIndex
                                                                                                                            /\ log' = log
                                                                                       ELSE /\ LET yielded_log5 == (log)[self] IN
                                                                                                 LET yielded_log4 == (log)[self] IN
                                                                                                   IF (((m[self]).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m[self]).mprevLogIndex)) # ((m[self]).mprevLogTerm))
                                                                                                      THEN /\ LET yielded_log21 == (log)[self] IN
                                                                                                                LET value21 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log21), ((m[self]).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                  /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value21}))]
                                                                                                                  /\ votesGranted' = votesGranted3
                                                                                                                  /\ state' = state1
                                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                           /\ UNCHANGED << log, 
                                                                                                                           commitIndex >>
                                                                                                      ELSE /\ LET yielded_log3 == (log)[self] IN
                                                                                                                LET k == FirstNew(yielded_log3, (m[self]).mprevLogIndex, (m[self]).mentries, 1) IN
                                                                                                                  LET last == ((m[self]).mprevLogIndex) + (Len((m[self]).mentries)) IN
                                                                                                                    IF (k) <= (Len((m[self]).mentries))
                                                                                                                       THEN /\ LET value31 == [from |-> ((m[self]).mprevLogIndex) + (k), entries |-> SubSeq((m[self]).mentries, k, Len((m[self]).mentries))] IN
                                                                                                                                 /\ log' = [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value31).from) - (1))) \o ((value31).entries)]
                                                                                                                                 /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                       THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                            /\ LET value44 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                                 /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value44}))]
                                                                                                                                                 /\ votesGranted' = votesGranted3
                                                                                                                                                 /\ state' = state1
                                                                                                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                       ELSE /\ LET value45 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                                 /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value45}))]
                                                                                                                                                 /\ votesGranted' = votesGranted3
                                                                                                                                                 /\ state' = state1
                                                                                                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                            /\ UNCHANGED commitIndex
                                                                                                                       ELSE /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                  THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                       /\ LET value46 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                            /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value46}))]
                                                                                                                                            /\ votesGranted' = votesGranted3
                                                                                                                                            /\ state' = state1
                                                                                                                                            /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                  ELSE /\ LET value47 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm')[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                            /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value47}))]
                                                                                                                                            /\ votesGranted' = votesGranted3
                                                                                                                                            /\ state' = state1
                                                                                                                                            /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                       /\ UNCHANGED commitIndex
                                                                                                                            /\ log' = log
                                                          ELSE /\ IF ((m[self]).mterm) < ((currentTerm)[self])
                                                                     THEN /\ LET value11 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> 0, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                               /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value11}))]
                                                                               /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                          /\ UNCHANGED << state, 
                                                                                          votesGranted, 
                                                                                          log, 
                                                                                          commitIndex >>
                                                                     ELSE /\ IF ((state)[self]) = (Candidate)
                                                                                THEN /\ state' = [state EXCEPT ![self] = Follower]
                                                                                     /\ votesGranted' = [votesGranted EXCEPT ![self] = {}]
                                                                                     /\ LET yielded_log5 == (log)[self] IN
                                                                                          LET yielded_log4 == (log)[self] IN
                                                                                            IF (((m[self]).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m[self]).mprevLogIndex)) # ((m[self]).mprevLogTerm))
                                                                                               THEN /\ LET yielded_log22 == (log)[self] IN
                                                                                                         LET value22 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log22), ((m[self]).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                           /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value22}))]
                                                                                                           /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                    /\ UNCHANGED << log, 
                                                                                                                    commitIndex >>
                                                                                               ELSE /\ LET yielded_log3 == (log)[self] IN
                                                                                                         LET k == FirstNew(yielded_log3, (m[self]).mprevLogIndex, (m[self]).mentries, 1) IN
                                                                                                           LET last == ((m[self]).mprevLogIndex) + (Len((m[self]).mentries)) IN
                                                                                                             IF (k) <= (Len((m[self]).mentries))
                                                                                                                THEN /\ LET value32 == [from |-> ((m[self]).mprevLogIndex) + (k), entries |-> SubSeq((m[self]).mentries, k, Len((m[self]).mentries))] IN
                                                                                                                          /\ log' = [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value32).from) - (1))) \o ((value32).entries)]
                                                                                                                          /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                     /\ LET value48 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                          /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value48}))]
                                                                                                                                          /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                ELSE /\ LET value49 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                          /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value49}))]
                                                                                                                                          /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                     /\ UNCHANGED commitIndex
                                                                                                                ELSE /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                           THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                /\ LET value410 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                     /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value410}))]
                                                                                                                                     /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                           ELSE /\ LET value411 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                     /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value411}))]
                                                                                                                                     /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                /\ UNCHANGED commitIndex
                                                                                                                     /\ log' = log
                                                                                ELSE /\ LET yielded_log5 == (log)[self] IN
                                                                                          LET yielded_log4 == (log)[self] IN
                                                                                            IF (((m[self]).mprevLogIndex) > (Len(yielded_log5))) \/ ((TermAt(yielded_log4, (m[self]).mprevLogIndex)) # ((m[self]).mprevLogTerm))
                                                                                               THEN /\ LET yielded_log23 == (log)[self] IN
                                                                                                         LET value23 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> FALSE, mmatchIndex |-> Min2(Len(yielded_log23), ((m[self]).mprevLogIndex) - (1)), msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                           /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value23}))]
                                                                                                           /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                    /\ UNCHANGED << log, 
                                                                                                                    commitIndex >>
                                                                                               ELSE /\ LET yielded_log3 == (log)[self] IN
                                                                                                         LET k == FirstNew(yielded_log3, (m[self]).mprevLogIndex, (m[self]).mentries, 1) IN
                                                                                                           LET last == ((m[self]).mprevLogIndex) + (Len((m[self]).mentries)) IN
                                                                                                             IF (k) <= (Len((m[self]).mentries))
                                                                                                                THEN /\ LET value33 == [from |-> ((m[self]).mprevLogIndex) + (k), entries |-> SubSeq((m[self]).mentries, k, Len((m[self]).mentries))] IN
                                                                                                                          /\ log' = [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value33).from) - (1))) \o ((value33).entries)]
                                                                                                                          /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                                THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                     /\ LET value412 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                          /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value412}))]
                                                                                                                                          /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                ELSE /\ LET value413 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                          /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value413}))]
                                                                                                                                          /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                     /\ UNCHANGED commitIndex
                                                                                                                ELSE /\ IF ((m[self]).mcommitIndex) > ((commitIndex)[self])
                                                                                                                           THEN /\ commitIndex' = [commitIndex EXCEPT ![self] = Min2((m[self]).mcommitIndex, last)]
                                                                                                                                /\ LET value414 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                     /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value414}))]
                                                                                                                                     /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                           ELSE /\ LET value415 == [mtype |-> AppendEntriesResponse, mterm |-> (currentTerm)[self], msuccess |-> TRUE, mmatchIndex |-> last, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                                                                     /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value415}))]
                                                                                                                                     /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                                                /\ UNCHANGED commitIndex
                                                                                                                     /\ log' = log
                                                                                     /\ UNCHANGED << state, 
                                                                                                     votesGranted >>
                                                               /\ UNCHANGED << currentTerm, 
                                                                               votedFor >>
                                                    /\ UNCHANGED << nextIndex, 
                                                                    matchIndex >>
                                               ELSE /\ IF ((m[self]).mtype) = (AppendEntriesResponse)
                                                          THEN /\ IF ((m[self]).mterm) > ((currentTerm)[self])
                                                                     THEN /\ currentTerm' = [currentTerm EXCEPT ![self] = (m[self]).mterm]
                                                                          /\ state' = [state EXCEPT ![self] = Follower]
                                                                          /\ votedFor' = [votedFor EXCEPT ![self] = Nil]
                                                                          /\ votesGranted' = [votesGranted EXCEPT ![self] = {}]
                                                                          /\ IF (((m[self]).mterm) = ((currentTerm')[self])) /\ (((state')[self]) = (Leader))
                                                                                THEN /\ LET p == <<self, (m[self]).msource>> IN
                                                                                          IF (m[self]).msuccess
                                                                                             THEN /\ matchIndex' = [matchIndex EXCEPT ![p] = Max2(@, (m[self]).mmatchIndex)]
                                                                                                  /\ nextIndex' = [nextIndex EXCEPT ![p] = Max2(@, ((m[self]).mmatchIndex) + (1))]
                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                             ELSE /\ nextIndex' = [nextIndex EXCEPT ![p] = Max2(1, Min2((@) - (1), ((m[self]).mmatchIndex) + (1)))]
                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                  /\ UNCHANGED matchIndex
                                                                                ELSE /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                     /\ UNCHANGED << nextIndex, 
                                                                                                     matchIndex >>
                                                                     ELSE /\ IF (((m[self]).mterm) = ((currentTerm)[self])) /\ (((state)[self]) = (Leader))
                                                                                THEN /\ LET p == <<self, (m[self]).msource>> IN
                                                                                          IF (m[self]).msuccess
                                                                                             THEN /\ matchIndex' = [matchIndex EXCEPT ![p] = Max2(@, (m[self]).mmatchIndex)]
                                                                                                  /\ nextIndex' = [nextIndex EXCEPT ![p] = Max2(@, ((m[self]).mmatchIndex) + (1))]
                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                             ELSE /\ nextIndex' = [nextIndex EXCEPT ![p] = Max2(1, Min2((@) - (1), ((m[self]).mmatchIndex) + (1)))]
                                                                                                  /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                                  /\ UNCHANGED matchIndex
                                                                                ELSE /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                     /\ UNCHANGED << nextIndex, 
                                                                                                     matchIndex >>
                                                                          /\ UNCHANGED << state, 
                                                                                          currentTerm, 
                                                                                          votedFor, 
                                                                                          votesGranted >>
                                                               /\ UNCHANGED << network, 
                                                                               log >>
                                                          ELSE /\ IF (((m[self]).mtype) = (ClientPutRequest)) \/ (((m[self]).mtype) = (ClientGetRequest))
                                                                     THEN /\ IF ((state)[self]) = (Leader)
                                                                                THEN /\ LET yielded_log60 == (log)[self] IN
                                                                                          LET value50 == [from |-> (Len(yielded_log60)) + (1), entries |-> <<[term |-> (currentTerm)[self], cmd |-> (m[self]).mcmd, client |-> (m[self]).msource]>>] IN
                                                                                            /\ log' = [log EXCEPT ![self] = (SubSeq((log)[self], 1, ((value50).from) - (1))) \o ((value50).entries)]
                                                                                            /\ LET yielded_log70 == (log')[self] IN
                                                                                                 /\ matchIndex' = [matchIndex EXCEPT ![<<self, self>>] = Len(yielded_log70)]
                                                                                                 /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                     /\ UNCHANGED network
                                                                                ELSE /\ \E hint \in (ServerSet) \union ({Nil}):
                                                                                          LET value60 == [mtype |-> IF ((m[self]).mtype) = (ClientPutRequest) THEN ClientPutResponse ELSE ClientGetResponse, msuccess |-> FALSE, mresponse |-> [idx |-> ((m[self]).mcmd).idx, key |-> ((m[self]).mcmd).key], mleaderHint |-> hint, msource |-> self, mdest |-> (m[self]).msource] IN
                                                                                            /\ network' = [network EXCEPT ![(m[self]).msource] = ((network)[(m[self]).msource]) (+) (SetToBag({value60}))]
                                                                                            /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                                     /\ UNCHANGED << log, 
                                                                                                     matchIndex >>
                                                                     ELSE /\ pc' = [pc EXCEPT ![self] = "serverLoop"]
                                                                          /\ UNCHANGED << network, 
                                                                                          log, 
                                                                                          matchIndex >>
                                                               /\ UNCHANGED << state, 
                                                                               currentTerm, 
                                                                               votedFor, 
                                                                               votesGranted, 
                                                                               nextIndex >>
                                                    /\ UNCHANGED commitIndex
                   /\ UNCHANGED << lastApplied, reqCh, respCh, 
                                   requestVoteSrvId, appendEntriesSrvId, 
                                   advanceCommitIndexSrvId, becomeLeaderSrvId, 
                                   m, srvId, srvId0, srvId1, srvId2, leader, 
                                   req, resp, reqIdx >>

s0(self) == serverLoop(self) \/ handleMsg(self)

serverRequestVoteLoop(self) == /\ pc[self] = "serverRequestVoteLoop"
                               /\ IF TRUE
                                     THEN /\ ((state)[srvId[self]]) \in ({Follower, Candidate})
                                          /\ state' = [state EXCEPT ![srvId[self]] = Candidate]
                                          /\ currentTerm' = [currentTerm EXCEPT ![srvId[self]] = ((currentTerm)[srvId[self]]) + (1)]
                                          /\ votedFor' = [votedFor EXCEPT ![srvId[self]] = srvId[self]]
                                          /\ votesGranted' = [votesGranted EXCEPT ![srvId[self]] = {srvId[self]}]
                                          /\ LET yielded_log80 == (log)[srvId[self]] IN
                                               /\ network' = SendEach(network, {RequestVoteMsg(srvId[self], j, (currentTerm')[srvId[self]], yielded_log80) : j \in (ServerSet) \ ({srvId[self]})})
                                               /\ pc' = [pc EXCEPT ![self] = "serverRequestVoteLoop"]
                                     ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                                          /\ UNCHANGED << network, state, 
                                                          currentTerm, 
                                                          votedFor, 
                                                          votesGranted >>
                               /\ UNCHANGED << log, commitIndex, lastApplied, 
                                               nextIndex, matchIndex, reqCh, 
                                               respCh, requestVoteSrvId, 
                                               appendEntriesSrvId, 
                                               advanceCommitIndexSrvId, 
                                               becomeLeaderSrvId, m, srvId, 
                                               srvId0, srvId1, srvId2, leader, 
                                               req, resp, reqIdx >>

s1(self) == serverRequestVoteLoop(self)

serverAppendEntriesLoop(self) == /\ pc[self] = "serverAppendEntriesLoop"
                                 /\ IF TRUE
                                       THEN /\ ((state)[srvId0[self]]) = (Leader)
                                            /\ LET yielded_log90 == (log)[srvId0[self]] IN
                                                 /\ network' = SendEach(network, {AppendEntriesMsg(srvId0[self], j, (currentTerm)[srvId0[self]], yielded_log90, (nextIndex)[<<srvId0[self], j>>], (commitIndex)[srvId0[self]]) : j \in (ServerSet) \ ({srvId0[self]})})
                                                 /\ pc' = [pc EXCEPT ![self] = "serverAppendEntriesLoop"]
                                       ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                                            /\ UNCHANGED network
                                 /\ UNCHANGED << state, currentTerm, votedFor, 
                                                 votesGranted, log, 
                                                 commitIndex, lastApplied, 
                                                 nextIndex, matchIndex, reqCh, 
                                                 respCh, requestVoteSrvId, 
                                                 appendEntriesSrvId, 
                                                 advanceCommitIndexSrvId, 
                                                 becomeLeaderSrvId, m, srvId, 
                                                 srvId0, srvId1, srvId2, 
                                                 leader, req, resp, reqIdx >>

s2(self) == serverAppendEntriesLoop(self)

serverAdvanceCommitIndexLoop(self) == /\ pc[self] = "serverAdvanceCommitIndexLoop"
                                      /\ IF TRUE
                                            THEN /\ LET yielded_log11 == (log)[srvId1[self]] IN
                                                      LET target == IF ((state)[srvId1[self]]) = (Leader) THEN CommitTarget(yielded_log11, (currentTerm)[srvId1[self]], srvId1[self], matchIndex, (commitIndex)[srvId1[self]]) ELSE (commitIndex)[srvId1[self]] IN
                                                        LET newCommit == Max2(target, (commitIndex)[srvId1[self]]) IN
                                                          LET applied == (lastApplied)[srvId1[self]] IN
                                                            /\ (newCommit) > (applied)
                                                            /\ commitIndex' = [commitIndex EXCEPT ![srvId1[self]] = newCommit]
                                                            /\ IF ((state)[srvId1[self]]) = (Leader)
                                                                  THEN /\ LET yielded_log100 == (log)[srvId1[self]] IN
                                                                            /\ network' = SendSeq(network, [k \in (1) .. ((newCommit) - (applied)) |-> ReplyMsg(yielded_log100, (applied) + (k), srvId1[self])])
                                                                            /\ lastApplied' = [lastApplied EXCEPT ![srvId1[self]] = newCommit]
                                                                            /\ pc' = [pc EXCEPT ![self] = "serverAdvanceCommitIndexLoop"]
                                                                  ELSE /\ lastApplied' = [lastApplied EXCEPT ![srvId1[self]] = newCommit]
                                                                       /\ pc' = [pc EXCEPT ![self] = "serverAdvanceCommitIndexLoop"]
                                                                       /\ UNCHANGED network
                                            ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                                                 /\ UNCHANGED << network, 
                                                                 commitIndex, 
                                                                 lastApplied >>
                                      /\ UNCHANGED << state, currentTerm, 
                                                      votedFor, votesGranted, 
                                                      log, nextIndex, 
                                                      matchIndex, reqCh, 
                                                      respCh, requestVoteSrvId, 
                                                      appendEntriesSrvId, 
                                                      advanceCommitIndexSrvId, 
                                                      becomeLeaderSrvId, m, 
                                                      srvId, srvId0, srvId1, 
                                                      srvId2, leader, req, 
                                                      resp, reqIdx >>

s3(self) == serverAdvanceCommitIndexLoop(self)

serverBecomeLeaderLoop(self) == /\ pc[self] = "serverBecomeLeaderLoop"
                                /\ IF TRUE
                                      THEN /\ ((state)[srvId2[self]]) = (Candidate)
                                           /\ isQuorum((votesGranted)[srvId2[self]])
                                           /\ state' = [state EXCEPT ![srvId2[self]] = Leader]
                                           /\ LET yielded_log120 == (log)[srvId2[self]] IN
                                                /\ nextIndex' = [p \in DOMAIN (nextIndex) |-> IF ((p)[1]) = (srvId2[self]) THEN (Len(yielded_log120)) + (1) ELSE (nextIndex)[p]]
                                                /\ LET yielded_log130 == (log)[srvId2[self]] IN
                                                     /\ matchIndex' = [p \in DOMAIN (matchIndex) |-> IF ((p)[1]) = (srvId2[self]) THEN IF ((p)[2]) = (srvId2[self]) THEN Len(yielded_log130) ELSE 0 ELSE (matchIndex)[p]]
                                                     /\ pc' = [pc EXCEPT ![self] = "serverBecomeLeaderLoop"]
                                      ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                                           /\ UNCHANGED << state, nextIndex, 
                                                           matchIndex >>
                                /\ UNCHANGED << network, currentTerm, votedFor, 
                                                votesGranted, log, commitIndex, 
                                                lastApplied, reqCh, respCh, 
                                                requestVoteSrvId, 
                                                appendEntriesSrvId, 
                                                advanceCommitIndexSrvId, 
                                                becomeLeaderSrvId, m, srvId, 
                                                srvId0, srvId1, srvId2, leader, 
                                                req, resp, reqIdx >>

s4(self) == serverBecomeLeaderLoop(self)

clientLoop(self) == /\ pc[self] = "clientLoop"
                    /\ IF TRUE
                          THEN /\ \E req00 \in AllReqs:
                                    LET yielded_reqCh0 == req00 IN
                                      /\ req' = [req EXCEPT ![self] = yielded_reqCh0]
                                      /\ reqIdx' = [reqIdx EXCEPT ![self] = (reqIdx[self]) + (1)]
                                      /\ pc' = [pc EXCEPT ![self] = "sndReq"]
                          ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                               /\ UNCHANGED << req, reqIdx >>
                    /\ UNCHANGED << network, state, currentTerm, votedFor, 
                                    votesGranted, log, commitIndex, 
                                    lastApplied, nextIndex, matchIndex, reqCh, 
                                    respCh, requestVoteSrvId, 
                                    appendEntriesSrvId, 
                                    advanceCommitIndexSrvId, becomeLeaderSrvId, 
                                    m, srvId, srvId0, srvId1, srvId2, leader, 
                                    resp >>

sndReq(self) == /\ pc[self] = "sndReq"
                /\ IF (leader[self]) = (Nil)
                      THEN /\ \E srv3 \in ServerSet:
                                /\ leader' = [leader EXCEPT ![self] = srv3]
                                /\ LET value70 == [mtype |-> IF ((req[self]).type) = (Put) THEN ClientPutRequest ELSE ClientGetRequest, mcmd |-> IF ((req[self]).type) = (Put) THEN [idx |-> reqIdx[self], type |-> Put, key |-> (req[self]).key, value |-> (req[self]).value] ELSE [idx |-> reqIdx[self], type |-> Get, key |-> (req[self]).key], msource |-> self, mdest |-> leader'[self]] IN
                                     /\ network' = [network EXCEPT ![leader'[self]] = ((network)[leader'[self]]) (+) (SetToBag({value70}))]
                                     /\ pc' = [pc EXCEPT ![self] = "rcvResp"]
                      ELSE /\ LET value71 == [mtype |-> IF ((req[self]).type) = (Put) THEN ClientPutRequest ELSE ClientGetRequest, mcmd |-> IF ((req[self]).type) = (Put) THEN [idx |-> reqIdx[self], type |-> Put, key |-> (req[self]).key, value |-> (req[self]).value] ELSE [idx |-> reqIdx[self], type |-> Get, key |-> (req[self]).key], msource |-> self, mdest |-> leader[self]] IN
                                /\ network' = [network EXCEPT ![leader[self]] = ((network)[leader[self]]) (+) (SetToBag({value71}))]
                                /\ pc' = [pc EXCEPT ![self] = "rcvResp"]
                           /\ UNCHANGED leader
                /\ UNCHANGED << state, currentTerm, votedFor, votesGranted, 
                                log, commitIndex, lastApplied, nextIndex, 
                                matchIndex, reqCh, respCh, requestVoteSrvId, 
                                appendEntriesSrvId, advanceCommitIndexSrvId, 
                                becomeLeaderSrvId, m, srvId, srvId0, srvId1, 
                                srvId2, req, resp, reqIdx >>

rcvResp(self) == /\ pc[self] = "rcvResp"
                 /\ \/ /\ (BagCardinality((network)[self])) > (0)
                       /\ \E msg10 \in BagToSet((network)[self]):
                            /\ network' = [network EXCEPT ![self] = ((network)[self]) (-) (SetToBag({msg10}))]
                            /\ LET yielded_network00 == msg10 IN
                                 /\ resp' = [resp EXCEPT ![self] = yielded_network00]
                                 /\ IF (((resp'[self]).mresponse).idx) # (reqIdx[self])
                                       THEN /\ pc' = [pc EXCEPT ![self] = "rcvResp"]
                                            /\ UNCHANGED << respCh, leader >>
                                       ELSE /\ IF ~ ((resp'[self]).msuccess)
                                                  THEN /\ \E srv4 \in ServerSet:
                                                            /\ leader' = [leader EXCEPT ![self] = srv4]
                                                            /\ pc' = [pc EXCEPT ![self] = "sndReq"]
                                                       /\ UNCHANGED respCh
                                                  ELSE /\ leader' = [leader EXCEPT ![self] = (resp'[self]).msource]
                                                       /\ respCh' = resp'[self]
                                                       /\ pc' = [pc EXCEPT ![self] = "clientLoop"]
                    \/ /\ \E srv5 \in ServerSet:
                            /\ leader' = [leader EXCEPT ![self] = srv5]
                            /\ pc' = [pc EXCEPT ![self] = "sndReq"]
                       /\ UNCHANGED <<network, respCh, resp>>
                 /\ UNCHANGED << state, currentTerm, votedFor, votesGranted, 
                                 log, commitIndex, lastApplied, nextIndex, 
                                 matchIndex, reqCh, requestVoteSrvId, 
                                 appendEntriesSrvId, advanceCommitIndexSrvId, 
                                 becomeLeaderSrvId, m, srvId, srvId0, srvId1, 
                                 srvId2, req, reqIdx >>

client(self) == clientLoop(self) \/ sndReq(self) \/ rcvResp(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in ServerSet: s0(self))
           \/ (\E self \in ServerRequestVoteSet: s1(self))
           \/ (\E self \in ServerAppendEntriesSet: s2(self))
           \/ (\E self \in ServerAdvanceCommitIndexSet: s3(self))
           \/ (\E self \in ServerBecomeLeaderSet: s4(self))
           \/ (\E self \in ClientSet: client(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in ServerSet : WF_vars(s0(self))
        /\ \A self \in ServerRequestVoteSet : WF_vars(s1(self))
        /\ \A self \in ServerAppendEntriesSet : WF_vars(s2(self))
        /\ \A self \in ServerAdvanceCommitIndexSet : WF_vars(s3(self))
        /\ \A self \in ServerBecomeLeaderSet : WF_vars(s4(self))
        /\ \A self \in ClientSet : WF_vars(client(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

\* Restarts: a server killed (SIGKILL) and started again. What the Go server persists survives (currentTerm,
\* votedFor and log: raft/storage.go writes them before anything depending on them is sent); what it held only in
\* memory starts again from the values Init gives it: its role, its votes, commitIndex, lastApplied (the entries
\* are applied again from 1), nextIndex, matchIndex, and the label and local variables of its five processes
\* (each starts again at its archetype's first label). The network is unchanged: the messages it had not read yet
\* are never read (as any lost message), and a peer may still deliver one it queued before the restart.
\*
\* The convention the trace validator (harness/tracelink/spec) follows, which another design can declare too:
\*   RestartNodes          the nodes that may restart;
\*   RestartProcesses(n)   the processes (selves) of node n: they die and start together;
\*   Restart(n)            the restart of node n as an action: a conjunction of `v' = e` for some variables,
\*                         `UNCHANGED` for the others (every variable exactly once) and guards over the state.
\* The validator takes Restart(n) once, atomically, where the traces of n's processes begin a new incarnation (a
\* process's next trace file): after every record of the earlier incarnations, before any of the later one.
\* A design without these definitions refuses a second incarnation of a process.

RestartNodes == ServerSet

RestartProcesses(i) == {i + k * NumServers : k \in 0..4}

\* The first label of each server process's archetype (as in Init).
StartLabel(p) ==
    CASE p \in ServerSet                   -> "serverLoop"
      [] p \in ServerRequestVoteSet        -> "serverRequestVoteLoop"
      [] p \in ServerAppendEntriesSet      -> "serverAppendEntriesLoop"
      [] p \in ServerAdvanceCommitIndexSet -> "serverAdvanceCommitIndexLoop"
      [] p \in ServerBecomeLeaderSet       -> "serverBecomeLeaderLoop"

Restart(i) ==
    /\ i \in RestartNodes
    /\ state'        = [state EXCEPT ![i] = Follower]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ commitIndex'  = [commitIndex EXCEPT ![i] = 0]
    /\ lastApplied'  = [lastApplied EXCEPT ![i] = 0]
    /\ nextIndex'    = [p \in DOMAIN nextIndex |-> IF p[1] = i THEN 1 ELSE nextIndex[p]]
    /\ matchIndex'   = [p \in DOMAIN matchIndex |-> IF p[1] = i THEN 0 ELSE matchIndex[p]]
    /\ pc'           = [p \in DOMAIN pc |-> IF p \in RestartProcesses(i) THEN StartLabel(p) ELSE pc[p]]
    /\ m'            = [m EXCEPT ![i] = defaultInitValue]
    /\ UNCHANGED <<network, currentTerm, votedFor, log, reqCh, respCh,
                   requestVoteSrvId, appendEntriesSrvId, advanceCommitIndexSrvId, becomeLeaderSrvId,
                   srvId, srvId0, srvId1, srvId2, leader, req, resp, reqIdx>>

\* The design with restarts, for model checking (models/MC2-restart.cfg): any server may restart at any time.
NextWithRestarts == Next \/ \E i \in RestartNodes : Restart(i)

SpecWithRestarts == Init /\ [][NextWithRestarts]_vars

\* CommittedStable without its commit index half, which a restart resets: a committed entry stays in the log.
CommittedKept ==
    [][\A i \in ServerSet :
        /\ Len(log'[i]) >= commitIndex[i]
        /\ SubSeq(log'[i], 1, commitIndex[i]) = SubSeq(log[i], 1, commitIndex[i])]_vars

\* Model checking (raftkvs.cfg)

MCConstraint ==
    /\ \A i \in ServerSet : currentTerm[i] <= MaxTerm /\ Len(log[i]) <= MaxLogLen
    /\ \A n \in NodeSet : BagCardinality(network[n]) <= MaxInFlight
    /\ \A c \in ClientSet : reqIdx[c] <= NumRequests

ElectionSafety ==
    \A i, j \in ServerSet :
        (i /= j /\ state[i] = Leader /\ state[j] = Leader) => currentTerm[i] /= currentTerm[j]

LogMatching ==
    \A i, j \in ServerSet :
        \A k \in 1..Min2(Len(log[i]), Len(log[j])) :
            log[i][k].term = log[j][k].term => SubSeq(log[i], 1, k) = SubSeq(log[j], 1, k)

StateMachineSafety ==
    \A i, j \in ServerSet :
        \A k \in 1..Min2(commitIndex[i], commitIndex[j]) : log[i][k] = log[j][k]

\* Expected to be violated (models/reach.cfg): the bounded model reaches a committed entry, and a leader of a
\* later term with a committed entry, so the properties above are not checked on trivial states only.
NothingCommitted == \A i \in ServerSet : commitIndex[i] = 0
NoLaterLeaderCommits == \A i \in ServerSet : ~(state[i] = Leader /\ currentTerm[i] >= 2 /\ commitIndex[i] > 0)

CommittedStable ==
    [][\A i \in ServerSet :
        /\ commitIndex'[i] >= commitIndex[i]
        /\ Len(log'[i]) >= commitIndex[i]
        /\ SubSeq(log'[i], 1, commitIndex[i]) = SubSeq(log[i], 1, commitIndex[i])]_vars

=============================================================================
