package extract

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
)

// batchRows is how many rows the producer hands to a table's writer
// goroutine at a time.
const batchRows = 4096

// rowsPerGroup bounds a Parquet row group: large enough for efficient
// column scans, small enough that a reader can stream a table.
const rowsPerGroup = 128 << 10

// batch is a buffer of rows plus the arena their nullable fields point
// into; both are recycled once written.
type batch[T any] struct {
	rows  []T
	arena *arena
}

// tableWriter writes one Parquet table through a goroutine, to a temporary
// file that is renamed into place only by commit: an interrupted run never
// leaves a table that looks complete.
type tableWriter[T any] struct {
	path, tmp string
	f         *os.File
	w         *parquet.GenericWriter[T]
	cur       *batch[T]
	work      chan *batch[T]
	free      chan *batch[T]
	done      chan error
	rows      int64
}

func newTableWriter[T any](path, version string, meta map[string]string) (*tableWriter[T], error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	opts := []parquet.WriterOption{
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(rowsPerGroup),
		parquet.CreatedBy("flowsift", version, ""),
	}
	for _, k := range sortedKeys(meta) {
		opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
	}
	tw := &tableWriter[T]{
		path: path,
		tmp:  f.Name(),
		f:    f,
		w:    parquet.NewGenericWriter[T](f, opts...),
		work: make(chan *batch[T], 2),
		free: make(chan *batch[T], 3),
		done: make(chan error, 1),
	}
	for range 3 {
		tw.free <- &batch[T]{rows: make([]T, 0, batchRows), arena: newArena()}
	}
	go tw.loop()
	return tw, nil
}

func (tw *tableWriter[T]) loop() {
	var err error
	for b := range tw.work {
		if err == nil {
			_, err = tw.w.Write(b.rows)
		}
		b.rows = b.rows[:0]
		b.arena.reset()
		tw.free <- b
	}
	if err == nil {
		err = tw.w.Close()
	}
	tw.done <- err
}

// next returns a row to fill and the arena for its nullable fields.
// The previous row is complete when next is called again, so a full batch
// is handed to the writer goroutine only then.
func (tw *tableWriter[T]) next() (*T, *arena) {
	if tw.cur != nil && len(tw.cur.rows) == cap(tw.cur.rows) {
		tw.work <- tw.cur
		tw.cur = nil
	}
	if tw.cur == nil {
		tw.cur = <-tw.free
	}
	b := tw.cur
	var zero T
	b.rows = append(b.rows, zero)
	tw.rows++
	return &b.rows[len(b.rows)-1], b.arena
}

// commit writes what is buffered, syncs the file and renames it into place.
func (tw *tableWriter[T]) commit() error {
	if tw.cur != nil && len(tw.cur.rows) > 0 {
		tw.work <- tw.cur
	}
	tw.cur = nil
	close(tw.work)
	err := <-tw.done
	if err == nil {
		err = tw.f.Sync()
	}
	if cerr := tw.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tw.tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tw.tmp, tw.path)
	}
	if err != nil {
		os.Remove(tw.tmp)
		return fmt.Errorf("write %s: %w", tw.path, err)
	}
	return nil
}

// abort discards the table.
func (tw *tableWriter[T]) abort() {
	if tw.work != nil {
		tw.cur = nil
		close(tw.work)
		<-tw.done //nolint:errcheck // the table is discarded, and its write error with it
		tw.work = nil
	}
	tw.f.Close()
	os.Remove(tw.tmp)
}

// arena hands out pointers for nullable Parquet fields without allocating
// per row: values live in fixed-capacity chunks that are reused per batch.
type arena struct {
	i32 chunks[int32]
	i64 chunks[int64]
	f64 chunks[float64]
	bl  chunks[bool]
	str chunks[string]
}

type chunks[V any] struct {
	all [][]V
	cur int
}

const arenaChunk = 8192

func (c *chunks[V]) put(v V) *V {
	if len(c.all) == 0 {
		c.all = append(c.all, make([]V, 0, arenaChunk))
	}
	s := &c.all[c.cur]
	if len(*s) == cap(*s) {
		c.cur++
		if c.cur == len(c.all) {
			c.all = append(c.all, make([]V, 0, arenaChunk))
		}
		s = &c.all[c.cur]
	}
	*s = append(*s, v)
	return &(*s)[len(*s)-1]
}

// take returns n contiguous values (a list column's elements).
func (c *chunks[V]) take(n int) []V {
	if n > arenaChunk {
		return make([]V, n)
	}
	if len(c.all) == 0 {
		c.all = append(c.all, make([]V, 0, arenaChunk))
	}
	s := &c.all[c.cur]
	if cap(*s)-len(*s) < n {
		c.cur++
		if c.cur == len(c.all) {
			c.all = append(c.all, make([]V, 0, arenaChunk))
		}
		s = &c.all[c.cur]
	}
	l := len(*s)
	*s = (*s)[:l+n]
	return (*s)[l : l+n : l+n]
}

func (c *chunks[V]) reset() {
	for i := range c.all {
		clear(c.all[i]) // drop string references for the collector
		c.all[i] = c.all[i][:0]
	}
	c.cur = 0
}

func newArena() *arena { return &arena{} }

func (a *arena) reset() {
	a.i32.reset()
	a.i64.reset()
	a.f64.reset()
	a.bl.reset()
	a.str.reset()
}

func (a *arena) Int32(v int32) *int32       { return a.i32.put(v) }
func (a *arena) Int64(v int64) *int64       { return a.i64.put(v) }
func (a *arena) Float64(v float64) *float64 { return a.f64.put(v) }
func (a *arena) Bool(v bool) *bool          { return a.bl.put(v) }
func (a *arena) String(v string) *string    { return a.str.put(v) }

// Int32s and Int64s return list storage of length n.
func (a *arena) Int32s(n int) []int32   { return a.i32.take(n) }
func (a *arena) Int64s(n int) []int64   { return a.i64.take(n) }
func (a *arena) Strings(n int) []string { return a.str.take(n) }
