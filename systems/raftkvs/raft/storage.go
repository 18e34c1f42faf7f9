package raft

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// MemStorage keeps the persisted state in memory; it survives a Node being rebuilt (tests of restarts).
type MemStorage struct {
	HS      HardState
	Entries []Entry
}

func (s *MemStorage) Load() (HardState, []Entry, error) { return s.HS, slices.Clone(s.Entries), nil }
func (s *MemStorage) SaveHardState(hs HardState) error  { s.HS = hs; return nil }
func (s *MemStorage) SaveEntries(from int, entries []Entry) error {
	if from < 1 || from > len(s.Entries)+1 {
		return fmt.Errorf("raft: SaveEntries from %d with %d stored entries", from, len(s.Entries))
	}
	s.Entries = append(s.Entries[:from-1], entries...)
	return nil
}

// FileStorage appends one JSON record per change to a file and replays it on Load. Each record is written with
// one write call, so a crash loses at most the record being written (a torn last line is ignored on Load).
type FileStorage struct {
	path string
	f    *os.File
	n    int // entries currently stored
}

type fileRecord struct {
	HS      *HardState `json:"hs,omitempty"`
	From    int        `json:"from,omitempty"`
	Entries []Entry    `json:"entries,omitempty"`
}

// OpenFileStorage opens (creating if needed) the state file in dir.
func OpenFileStorage(dir string) (*FileStorage, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("raft: creating storage directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, "raft-state.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("raft: opening %s: %w", path, err)
	}
	return &FileStorage{path: path, f: f}, nil
}

func (s *FileStorage) Load() (HardState, []Entry, error) {
	var hs HardState
	var log []Entry
	if _, err := s.f.Seek(0, 0); err != nil {
		return hs, nil, err
	}
	sc := bufio.NewScanner(s.f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	line := 0
	for sc.Scan() {
		line++
		var r fileRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			// Only a torn final record (a crash mid-write) is tolerated.
			if !sc.Scan() {
				break
			}
			return hs, nil, fmt.Errorf("%s:%d: %w", s.path, line, err)
		}
		if r.HS != nil {
			hs = *r.HS
		}
		if r.From > 0 {
			if r.From > len(log)+1 {
				return hs, nil, fmt.Errorf("%s:%d: entries from %d but only %d stored", s.path, line, r.From, len(log))
			}
			log = append(log[:r.From-1], r.Entries...)
		}
	}
	if err := sc.Err(); err != nil {
		return hs, nil, fmt.Errorf("%s: %w", s.path, err)
	}
	s.n = len(log)
	return hs, log, nil
}

func (s *FileStorage) write(r fileRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.f.Write(append(b, '\n'))
	return err
}

func (s *FileStorage) SaveHardState(hs HardState) error { return s.write(fileRecord{HS: &hs}) }

func (s *FileStorage) SaveEntries(from int, entries []Entry) error {
	if from < 1 || from > s.n+1 {
		return fmt.Errorf("raft: SaveEntries from %d with %d stored entries", from, s.n)
	}
	if len(entries) == 0 && from == s.n+1 {
		return nil
	}
	s.n = from - 1 + len(entries)
	return s.write(fileRecord{From: from, Entries: entries})
}

// Close closes the file.
func (s *FileStorage) Close() error {
	if s.f == nil {
		return errors.New("raft: storage already closed")
	}
	err := s.f.Close()
	s.f = nil
	return err
}
