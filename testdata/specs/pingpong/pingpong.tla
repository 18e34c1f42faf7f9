---------------------------- MODULE pingpong ----------------------------
(***************************************************************************)
(* A pinger sends NUM_PINGS numbered requests to a ponger over FIFO        *)
(* mailboxes; the ponger answers each with twice its number and the pinger *)
(* adds the answers up. Test data for the native TraceLink validator.      *)
(***************************************************************************)
EXTENDS Naturals, Sequences, TLC

CONSTANTS NUM_PINGS

(***************************************************************************
--mpcal pingpong {
  mapping macro FIFOChannel {
    read {
      await Len($variable) > 0;
      with (msg = Head($variable)) {
        $variable := Tail($variable);
        yield msg;
      };
    }
    write {
      yield Append($variable, $value);
    }
  }

  archetype APinger(ref net[_], ref total)
  variables n = 0, reply;
  {
  ping:
    while (n < NUM_PINGS) {
    send:
      net[2] := [from |-> self, val |-> n];
    recv:
      reply := net[self];
      n := n + 1;
      total := total + reply;
    };
  }

  archetype APonger(ref net[_])
  variables m;
  {
  pong:
    while (TRUE) {
    get:
      m := net[self];
    answer:
      net[m.from] := m.val * 2;
    };
  }

  variables network = [id \in {1, 2} |-> <<>>], sum = 0;

  fair process (Pinger \in {1}) == instance APinger(ref network[_], ref sum)
    mapping network[_] via FIFOChannel;
  fair process (Ponger \in {2}) == instance APonger(ref network[_])
    mapping network[_] via FIFOChannel;
}

\* BEGIN PLUSCAL TRANSLATION
--algorithm pingpong {
  variables network = [id \in {1, 2} |-> <<>>]; sum = 0;
  
  fair process (Pinger \in {1})
    variables n = 0; reply;
  {
    ping:
      if ((n) < (NUM_PINGS)) {
        goto send;
      } else {
        goto Done;
      };
    send:
      with (value1 = [from |-> self, val |-> n]) {
        network := [network EXCEPT ![2] = Append((network)[2], value1)];
        goto recv;
      };
    recv:
      await (Len((network)[self])) > (0);
      with (msg00 = Head((network)[self])) {
        network := [network EXCEPT ![self] = Tail((network)[self])];
        with (yielded_network1 = msg00) {
          reply := yielded_network1;
          n := (n) + (1);
          sum := (sum) + (reply);
          goto ping;
        };
      };
  }
  
  fair process (Ponger \in {2})
    variables m;
  {
    pong:
      if (TRUE) {
        goto get;
      } else {
        goto Done;
      };
    get:
      await (Len((network)[self])) > (0);
      with (msg10 = Head((network)[self])) {
        network := [network EXCEPT ![self] = Tail((network)[self])];
        with (yielded_network00 = msg10) {
          m := yielded_network00;
          goto answer;
        };
      };
    answer:
      with (value00 = ((m).val) * (2)) {
        network := [network EXCEPT ![(m).from] = Append((network)[(m).from], value00)];
        goto pong;
      };
  }
}

\* END PLUSCAL TRANSLATION
***************************************************************************)

\* BEGIN TRANSLATION
CONSTANT defaultInitValue
VARIABLES pc, network, sum, n, reply, m

vars == << pc, network, sum, n, reply, m >>

ProcSet == ({1}) \cup ({2})

Init == (* Global variables *)
        /\ network = [id \in {1, 2} |-> <<>>]
        /\ sum = 0
        (* Process Pinger *)
        /\ n = [self \in {1} |-> 0]
        /\ reply = [self \in {1} |-> defaultInitValue]
        (* Process Ponger *)
        /\ m = [self \in {2} |-> defaultInitValue]
        /\ pc = [self \in ProcSet |-> CASE self \in {1} -> "ping"
                                        [] self \in {2} -> "pong"]

ping(self) == /\ pc[self] = "ping"
              /\ IF (n[self]) < (NUM_PINGS)
                    THEN /\ pc' = [pc EXCEPT ![self] = "send"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
              /\ UNCHANGED << network, sum, n, reply, m >>

send(self) == /\ pc[self] = "send"
              /\ LET value1 == [from |-> self, val |-> n[self]] IN
                   /\ network' = [network EXCEPT ![2] = Append((network)[2], value1)]
                   /\ pc' = [pc EXCEPT ![self] = "recv"]
              /\ UNCHANGED << sum, n, reply, m >>

recv(self) == /\ pc[self] = "recv"
              /\ (Len((network)[self])) > (0)
              /\ LET msg00 == Head((network)[self]) IN
                   /\ network' = [network EXCEPT ![self] = Tail((network)[self])]
                   /\ LET yielded_network1 == msg00 IN
                        /\ reply' = [reply EXCEPT ![self] = yielded_network1]
                        /\ n' = [n EXCEPT ![self] = (n[self]) + (1)]
                        /\ sum' = (sum) + (reply'[self])
                        /\ pc' = [pc EXCEPT ![self] = "ping"]
              /\ m' = m

Pinger(self) == ping(self) \/ send(self) \/ recv(self)

pong(self) == /\ pc[self] = "pong"
              /\ IF TRUE
                    THEN /\ pc' = [pc EXCEPT ![self] = "get"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
              /\ UNCHANGED << network, sum, n, reply, m >>

get(self) == /\ pc[self] = "get"
             /\ (Len((network)[self])) > (0)
             /\ LET msg10 == Head((network)[self]) IN
                  /\ network' = [network EXCEPT ![self] = Tail((network)[self])]
                  /\ LET yielded_network00 == msg10 IN
                       /\ m' = [m EXCEPT ![self] = yielded_network00]
                       /\ pc' = [pc EXCEPT ![self] = "answer"]
             /\ UNCHANGED << sum, n, reply >>

answer(self) == /\ pc[self] = "answer"
                /\ LET value00 == ((m[self]).val) * (2) IN
                     /\ network' = [network EXCEPT ![(m[self]).from] = Append((network)[(m[self]).from], value00)]
                     /\ pc' = [pc EXCEPT ![self] = "pong"]
                /\ UNCHANGED << sum, n, reply, m >>

Ponger(self) == pong(self) \/ get(self) \/ answer(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in {1}: Pinger(self))
           \/ (\E self \in {2}: Ponger(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in {1} : WF_vars(Pinger(self))
        /\ \A self \in {2} : WF_vars(Ponger(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

=============================================================================
