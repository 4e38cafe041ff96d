package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync/atomic"
	"time"
)

// Options configures a [Source].
type Options struct {
	// GapThreshold is the silence between two consecutive packets of a file
	// that counts as a capture gap in [FileStats]. Zero disables gap counting.
	GapThreshold time.Duration
	// Warn receives problems that do not stop the run: a file that cannot be
	// opened or whose framing is lost part-way. It may be nil.
	Warn func(error)
	// NoHash skips the SHA-256 of each file ([FileStats.SHA256] stays
	// empty): on one core hashing costs about as much as decoding.
	NoHash bool
}

// Skipped is a directory entry that was not read, with the reason.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Source is an ordered set of capture files read as one stream.
type Source struct {
	opts    Options
	stats   []FileStats
	skipped []Skipped
	total   int64        // bytes on disk of all files
	done    atomic.Int64 // bytes read of finished files
	cur     atomic.Pointer[openFile]
}

// Open resolves paths (capture files and directories of them) into one
// source ordered by each file's first timestamp. A named file that is not a
// capture is an error; a directory entry that is not one is skipped and
// listed in [Source.Skipped].
func Open(paths []string, opts Options) (*Source, error) {
	if len(paths) == 0 {
		return nil, ErrNoInput
	}
	s := &Source{opts: opts}
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			format, _, err := Sniff(p)
			if err != nil {
				return nil, err
			}
			if format == "" {
				return nil, fmt.Errorf("%s: %w", p, ErrNotCapture)
			}
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		found := 0
		for _, e := range entries { // ReadDir sorts by name
			full := filepath.Join(p, e.Name())
			if !e.Type().IsRegular() {
				continue
			}
			format, _, err := Sniff(full)
			if err != nil {
				s.skipped = append(s.skipped, Skipped{Path: full, Reason: err.Error()})
				continue
			}
			if format == "" {
				s.skipped = append(s.skipped, Skipped{Path: full, Reason: ErrNotCapture.Error()})
				continue
			}
			files = append(files, full)
			found++
		}
		if found == 0 {
			return nil, fmt.Errorf("%s: directory holds %w", p, ErrNoInput)
		}
	}
	files = dedup(files)
	if err := s.order(files); err != nil {
		return nil, err
	}
	return s, nil
}

// dedup drops every file named again, directly or through its directory,
// so that no capture is read twice.
func dedup(files []string) []string {
	seen := make(map[string]bool, len(files))
	out := files[:0]
	for _, f := range files {
		if k := filepath.Clean(f); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// order sorts files by first packet timestamp; files without a readable
// packet keep their relative order at the end.
func (s *Source) order(files []string) error {
	type probe struct {
		path string
		ts   int64
		ok   bool
	}
	probes := make([]probe, len(files))
	for i, f := range files {
		ts, ok, err := firstTimestamp(f)
		if err != nil && !errors.Is(err, ErrNotCapture) {
			var fe *FormatError
			if !errors.As(err, &fe) {
				return err
			}
		}
		probes[i] = probe{f, ts, ok}
	}
	sort.SliceStable(probes, func(i, j int) bool {
		a, b := probes[i], probes[j]
		if a.ok != b.ok {
			return a.ok
		}
		return a.ok && a.ts < b.ts
	})
	s.stats = make([]FileStats, len(probes))
	for i, p := range probes {
		s.stats[i].Path = p.path
		if fi, err := os.Stat(p.path); err == nil {
			s.stats[i].Size = fi.Size()
			s.total += fi.Size()
		}
	}
	return nil
}

// Files returns the statistics of every file in stream order. Counts are
// final once [Source.Packets] has finished.
func (s *Source) Files() []FileStats { return s.stats }

// Skipped lists directory entries that were not read.
func (s *Source) Skipped() []Skipped { return s.skipped }

// Progress returns how many bytes of the capture files have been read and
// their total size. It is safe to call from another goroutine.
func (s *Source) Progress() (read, total int64) {
	read = s.done.Load()
	if of := s.cur.Load(); of != nil {
		read += of.rawRead()
	}
	return read, s.total
}

// Packets returns an iterator over all packets of all files in stream
// order. The yielded packet is reused: its fields and Data are valid until
// the next iteration. The only error yielded is the context's.
func (s *Source) Packets(ctx context.Context) iter.Seq2[*Packet, error] {
	return func(yield func(*Packet, error) bool) {
		var p Packet
		for i := range s.stats {
			st := &s.stats[i]
			of, err := open(st.Path, st, false, !s.opts.NoHash)
			if err != nil {
				kind := "open"
				var fe *FormatError
				if errors.As(err, &fe) {
					kind = fe.Kind
				}
				st.addError(kind, err)
				s.warn(err)
				s.done.Add(st.Size) // nothing more will be read of it
				continue
			}
			s.cur.Store(of)
			stopped := false
			var prevTS int64
			for n := int64(1); ; n++ {
				if n&0x3fff == 0 && ctx.Err() != nil {
					s.finish(of)
					yield(nil, ctx.Err())
					return
				}
				err := of.rr.next(&p)
				if err != nil {
					if !errors.Is(err, io.EOF) {
						var fe *FormatError
						kind := "read_error"
						if errors.As(err, &fe) {
							kind = fe.Kind
						}
						st.addError(kind, err)
						s.warn(err)
					}
					break
				}
				p.File = i
				p.Number = n
				s.account(st, &p, prevTS)
				prevTS = p.Timestamp
				if !yield(&p, nil) {
					stopped = true
					break
				}
			}
			s.finish(of)
			if stopped {
				return
			}
		}
	}
}

func (s *Source) finish(of *openFile) {
	of.finish()
	s.cur.Store(nil)
	s.done.Add(of.stats.Size)
}

func (s *Source) account(st *FileStats, p *Packet, prevTS int64) {
	capLen := len(p.Data)
	if capLen > p.WireLen {
		st.CapLenOverWire++
		p.WireLen = capLen
	} else if capLen < p.WireLen {
		st.Truncated++
	}
	st.Packets++
	st.CapturedBytes += int64(capLen)
	st.WireBytes += int64(p.WireLen)
	if st.Packets == 1 {
		st.FirstTS, st.LastTS = p.Timestamp, p.Timestamp // timestamps may be negative
	} else {
		st.FirstTS = min(st.FirstTS, p.Timestamp)
		gap := p.Timestamp - prevTS
		if gap < 0 {
			st.TimeBackwards++
		} else if s.opts.GapThreshold > 0 && gap >= int64(s.opts.GapThreshold) {
			st.Gaps++
			st.MaxGapNS = max(st.MaxGapNS, gap)
		}
	}
	st.LastTS = max(st.LastTS, p.Timestamp)
	if !slices.Contains(st.LinkTypes, p.LinkType) {
		st.LinkTypes = append(st.LinkTypes, p.LinkType)
	}
}

func (s *Source) warn(err error) {
	if s.opts.Warn != nil {
		s.opts.Warn(err)
	}
}
