// Package dqueue is a distributed queue in the shape of PGo's systems/dqueue (MPCal spec dqueue.tla there): a
// producer archetype hands out the items of its input stream, one per request, to consumer archetypes that ask
// for them over TCP mailboxes `net[_]` and pass them on to their output `proc`.
//
//	AConsumer: c: while TRUE { c1: net[PRODUCER] := self;  c2: proc := net[self] }
//	AProducer: p: while TRUE { p1: requester := net[self]; p2: net[requester] := s }
//
// Each label is one critical section; with a tracer, each writes one TraceLink line (names, labels and values
// as PGo's generated code records them), and every message carries the sending section's vector clock.
package dqueue

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"pgoharness.local/support/tlink"
)

// Producer is the AProducer archetype: Stream is its input `s`; it returns when Stream is closed.
type Producer struct {
	Self   int
	Net    *Mailboxes
	Stream <-chan int
	Trace  *tlink.Tracer // nil: no trace
}

// Consumer is the AConsumer archetype: Proc is its output `proc`.
type Consumer struct {
	Self     int
	Producer int
	Net      *Mailboxes
	Proc     chan<- int
	Trace    *tlink.Tracer
}

// Initial labels, for tlink.Open.
const (
	ProducerStart = "AProducer.p"
	ConsumerStart = "AConsumer.c"
)

// ErrStreamClosed ends the producer once its input is exhausted.
var ErrStreamClosed = errors.New("dqueue: producer's input stream closed")

// Run runs the producer until ctx ends or its stream is closed.
func (p *Producer) Run(ctx context.Context) error {
	self := strconv.Itoa(p.Self)
	for {
		// p: the loop head.
		if err := p.Trace.Begin().Commit("AProducer.p1"); err != nil {
			return err
		}

		// p1: requester := net[self] — waits for a request before the section starts, so that a section that
		// is never completed leaves no line.
		req, err := p.Net.Receive(ctx)
		if err != nil {
			return err
		}
		requester, err := strconv.Atoi(req.Value)
		if err != nil {
			return fmt.Errorf("dqueue: producer %d: request %q is not a consumer id", p.Self, req.Value)
		}
		s := p.Trace.Begin(tlink.FromEntries(req.Clock))
		s.Read("net", []string{self}, req.Value)
		s.Write("requester", nil, req.Value)
		if err := s.Commit("AProducer.p2"); err != nil {
			return err
		}

		// p2: net[requester] := s
		var item int
		select {
		case v, ok := <-p.Stream:
			if !ok {
				return ErrStreamClosed
			}
			item = v
		case <-ctx.Done():
			return ctx.Err()
		}
		value := tlink.Int(item)
		s = p.Trace.Begin()
		s.Read("s", nil, value)
		s.Send("net", []string{req.Value}, value)
		clock := s.Clock()
		if err := s.Commit("AProducer.p"); err != nil {
			return err
		}
		if err := p.Net.Send(ctx, requester, Message{Value: value, Clock: clock.Entries()}); err != nil {
			return err
		}
	}
}

// Run runs the consumer until ctx ends.
func (c *Consumer) Run(ctx context.Context) error {
	self := strconv.Itoa(c.Self)
	for {
		// c: the loop head.
		if err := c.Trace.Begin().Commit("AConsumer.c1"); err != nil {
			return err
		}

		// c1: net[PRODUCER] := self
		s := c.Trace.Begin()
		s.Send("net", []string{strconv.Itoa(c.Producer)}, self)
		clock := s.Clock()
		if err := s.Commit("AConsumer.c2"); err != nil {
			return err
		}
		if err := c.Net.Send(ctx, c.Producer, Message{Value: self, Clock: clock.Entries()}); err != nil {
			return err
		}

		// c2: proc := net[self]
		msg, err := c.Net.Receive(ctx)
		if err != nil {
			return err
		}
		item, err := strconv.Atoi(msg.Value)
		if err != nil {
			return fmt.Errorf("dqueue: consumer %d: item %q is not an integer", c.Self, msg.Value)
		}
		s = c.Trace.Begin(tlink.FromEntries(msg.Clock))
		s.Read("net", []string{self}, msg.Value)
		s.Send("proc", nil, msg.Value) // an output resource, like a mailbox: no oldValue
		if err := s.Commit("AConsumer.c"); err != nil {
			return err
		}
		select {
		case c.Proc <- item:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
