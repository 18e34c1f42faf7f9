------------------------------- MODULE dqueue -------------------------------
(***************************************************************************)
(* The design of pgo-harness's dqueue (systems/dqueue/*.go).               *)
(*                                                                         *)
(* One producer hands out the items of a finite input stream, one item per *)
(* request, to consumers that ask for them over FIFO mailboxes and pass    *)
(* each answer on to their output.  Each label below is one critical      *)
(* section of the Go code, and one line of its TraceLink trace: archetype  *)
(* and label names, the resources read and written, and their order are   *)
(* what systems/dqueue records through systems/support/tlink.              *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TLC

CONSTANTS PRODUCER,      \* self of the producer, and the index of its mailbox
          NUM_CONSUMERS, \* the consumers' selves are 1..NUM_CONSUMERS
          NUM_ITEMS      \* the input stream is 1, 2, ..., NUM_ITEMS, then closed

(***************************************************************************
--mpcal dqueue {
  define {
    Consumers == 1 .. NUM_CONSUMERS
    Nodes == {PRODUCER} \cup Consumers
  }

  \* One node's mailbox, a TCP connection in the Go code: reads take the
  \* oldest message and wait while there is none; writes never wait (each
  \* consumer has at most one request or answer outstanding).
  mapping macro FIFOMailbox {
    read {
      await Len($variable) > 0;
      with (oldest = Head($variable)) {
        $variable := Tail($variable);
        yield oldest;
      };
    }
    write {
      yield Append($variable, $value);
    }
  }

  \* The producer's input stream, kept as the count of items taken so far:
  \* a read takes the next number; a closed stream has nothing more to give.
  mapping macro CountedStream {
    read {
      await $variable < NUM_ITEMS;
      $variable := $variable + 1;
      yield $variable;
    }
    write {
      yield $variable;
    }
  }

  \* A consumer's output: whatever it passes on is appended to its own log,
  \* so that the properties below can see all it has ever output.
  mapping macro OutputLog {
    read {
      yield $variable[self];
    }
    write {
      yield [$variable EXCEPT ![self] = Append($variable[self], $value)];
    }
  }

  \* A consumer asks the producer for an item by sending its own self, then
  \* waits for the answer and outputs it, forever.
  archetype AConsumer(ref net[_], ref proc) {
    c: while (TRUE) {
      c1: net[PRODUCER] := self;
      c2: proc := net[self];
    }
  }

  \* The producer takes one request at a time (the requester's self) and
  \* answers it with the next item of its stream.
  archetype AProducer(ref net[_], ref s)
  variable requester; {
    p: while (TRUE) {
      p1: requester := net[self];
      p2: net[requester] := s;
    }
  }

  variables mailbox = [n \in Nodes |-> <<>>],
            taken = 0,
            output = [n \in Consumers |-> <<>>];

  fair process (Consumer \in Consumers) == instance AConsumer(ref mailbox[_], ref output)
    mapping mailbox[_] via FIFOMailbox
    mapping output via OutputLog;

  fair process (Producer \in {PRODUCER}) == instance AProducer(ref mailbox[_], ref taken)
    mapping mailbox[_] via FIFOMailbox
    mapping taken via CountedStream;
}

\* BEGIN PLUSCAL TRANSLATION
\* stamp mpcal sha256:b3813867b1ceeadfeb6a44b404079616385764ffd24ad39b7fdc08266fd2e5f7
\* stamp pluscal sha256:3cfd659f8342fe336b4773542311d898e1e2fb2e3d53e54f467fefdb68ca6ccd
\* stamp tla sha256:8372d5d27cb961b17884932e4bd7b25310583d4ca345e8b07afd363f11316608
--algorithm dqueue {
  variables mailbox = [n \in Nodes |-> <<>>]; taken = 0; output = [n \in Consumers |-> <<>>];
  define{
    Consumers == (1) .. (NUM_CONSUMERS)
    Nodes == ({PRODUCER}) \union (Consumers)
  }
  
  fair process (Consumer \in Consumers)
  {
    c:
      if (TRUE) {
        goto c1;
      } else {
        goto Done;
      };
    c1:
      with (value2 = self) {
        mailbox := [mailbox EXCEPT ![PRODUCER] = Append((mailbox)[PRODUCER], value2)];
        goto c2;
      };
    c2:
      await (Len((mailbox)[self])) > (0);
      with (oldest00 = Head((mailbox)[self])) {
        mailbox := [mailbox EXCEPT ![self] = Tail((mailbox)[self])];
        with (
          yielded_mailbox1 = oldest00, 
          value00 = yielded_mailbox1
        ) {
          output := [output EXCEPT ![self] = Append((output)[self], value00)];
          goto c;
        };
      };
  }
  
  fair process (Producer \in {PRODUCER})
    variables requester;
  {
    p:
      if (TRUE) {
        goto p1;
      } else {
        goto Done;
      };
    p1:
      await (Len((mailbox)[self])) > (0);
      with (oldest10 = Head((mailbox)[self])) {
        mailbox := [mailbox EXCEPT ![self] = Tail((mailbox)[self])];
        with (yielded_mailbox00 = oldest10) {
          requester := yielded_mailbox00;
          goto p2;
        };
      };
    p2:
      await (taken) < (NUM_ITEMS);
      taken := (taken) + (1);
      with (
        yielded_taken0 = taken, 
        value10 = yielded_taken0
      ) {
        mailbox := [mailbox EXCEPT ![requester] = Append((mailbox)[requester], value10)];
        goto p;
      };
  }
}

\* END PLUSCAL TRANSLATION
*)

\* BEGIN TRANSLATION
CONSTANT defaultInitValue
VARIABLES pc, mailbox, taken, output

(* define statement *)
Consumers == (1) .. (NUM_CONSUMERS)
Nodes == ({PRODUCER}) \union (Consumers)

VARIABLE requester

vars == << pc, mailbox, taken, output, requester >>

ProcSet == (Consumers) \cup ({PRODUCER})

Init == (* Global variables *)
        /\ mailbox = [n \in Nodes |-> <<>>]
        /\ taken = 0
        /\ output = [n \in Consumers |-> <<>>]
        (* Process Producer *)
        /\ requester = [self \in {PRODUCER} |-> defaultInitValue]
        /\ pc = [self \in ProcSet |-> CASE self \in Consumers -> "c"
                                        [] self \in {PRODUCER} -> "p"]

c(self) == /\ pc[self] = "c"
           /\ IF TRUE
                 THEN /\ pc' = [pc EXCEPT ![self] = "c1"]
                 ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
           /\ UNCHANGED << mailbox, taken, output, requester >>

c1(self) == /\ pc[self] = "c1"
            /\ LET value2 == self IN
                 /\ mailbox' = [mailbox EXCEPT ![PRODUCER] = Append((mailbox)[PRODUCER], value2)]
                 /\ pc' = [pc EXCEPT ![self] = "c2"]
            /\ UNCHANGED << taken, output, requester >>

c2(self) == /\ pc[self] = "c2"
            /\ (Len((mailbox)[self])) > (0)
            /\ LET oldest00 == Head((mailbox)[self]) IN
                 /\ mailbox' = [mailbox EXCEPT ![self] = Tail((mailbox)[self])]
                 /\ LET yielded_mailbox1 == oldest00 IN
                      LET value00 == yielded_mailbox1 IN
                        /\ output' = [output EXCEPT ![self] = Append((output)[self], value00)]
                        /\ pc' = [pc EXCEPT ![self] = "c"]
            /\ UNCHANGED << taken, requester >>

Consumer(self) == c(self) \/ c1(self) \/ c2(self)

p(self) == /\ pc[self] = "p"
           /\ IF TRUE
                 THEN /\ pc' = [pc EXCEPT ![self] = "p1"]
                 ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
           /\ UNCHANGED << mailbox, taken, output, requester >>

p1(self) == /\ pc[self] = "p1"
            /\ (Len((mailbox)[self])) > (0)
            /\ LET oldest10 == Head((mailbox)[self]) IN
                 /\ mailbox' = [mailbox EXCEPT ![self] = Tail((mailbox)[self])]
                 /\ LET yielded_mailbox00 == oldest10 IN
                      /\ requester' = [requester EXCEPT ![self] = yielded_mailbox00]
                      /\ pc' = [pc EXCEPT ![self] = "p2"]
            /\ UNCHANGED << taken, output >>

p2(self) == /\ pc[self] = "p2"
            /\ (taken) < (NUM_ITEMS)
            /\ taken' = (taken) + (1)
            /\ LET yielded_taken0 == taken' IN
                 LET value10 == yielded_taken0 IN
                   /\ mailbox' = [mailbox EXCEPT ![requester[self]] = Append((mailbox)[requester[self]], value10)]
                   /\ pc' = [pc EXCEPT ![self] = "p"]
            /\ UNCHANGED << output, requester >>

Producer(self) == p(self) \/ p1(self) \/ p2(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in Consumers: Consumer(self))
           \/ (\E self \in {PRODUCER}: Producer(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Consumers : WF_vars(Consumer(self))
        /\ \A self \in {PRODUCER} : WF_vars(Producer(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

-----------------------------------------------------------------------------
(***************************************************************************)
(* What the design promises; checked by TLC with small constants (see the  *)
(* model-checking .cfg files beside this spec).                            *)
(***************************************************************************)

Range(seq) == {seq[i] : i \in DOMAIN seq}

\* Everything consumer n has been given: what it output, then what waits in
\* its mailbox, in the order it got or will get it.
Given(n) == output[n] \o mailbox[n]

\* Each consumer receives and outputs items in increasing order (with
\* NoLossNoDuplication, a lone consumer outputs exactly 1, 2, ..., k).
ConsumedInOrder ==
  \A n \in Consumers : \A i \in 1 .. Len(Given(n)) - 1 : Given(n)[i] < Given(n)[i + 1]

\* No item is lost or duplicated: the items taken from the stream so far are
\* exactly the items given to consumers, each to one consumer, once.
NoLossNoDuplication ==
  /\ \A n, m \in Consumers : n # m => Range(Given(n)) \cap Range(Given(m)) = {}
  /\ UNION {Range(Given(n)) : n \in Consumers} = 1 .. taken
  /\ \A n \in Consumers : Cardinality(Range(Given(n))) = Len(Given(n))

\* Mailboxes stay small: the producer holds at most one request per consumer
\* and a consumer at most one answer.
MailboxesBounded ==
  /\ Len(mailbox[PRODUCER]) <= NUM_CONSUMERS
  /\ \A n \in Consumers : Len(mailbox[n]) <= 1

\* Liveness: every item of the stream is eventually output by a consumer.
AllItemsConsumed ==
  <>(UNION {Range(output[n]) : n \in Consumers} = 1 .. NUM_ITEMS)

=============================================================================
