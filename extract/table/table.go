package table

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Kind is the Go representation of a column's values.
type Kind uint8

// Column kinds.
const (
	Int64 Kind = iota + 1
	Float64
	Bool
	String
	Time // int64 nanoseconds since the Unix epoch, UTC
)

var kindNames = [...]string{"", "int64", "float64", "bool", "string", "timestamp"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Column holds the values of one column for Len() rows. Exactly one of the
// value slices is used, chosen by Kind. For a list column, row i's elements
// are the values in [Offsets[i], Offsets[i+1]) and Null marks rows whose
// whole list is null.
type Column struct {
	Name    string
	Kind    Kind
	List    bool
	Ints    []int64
	Floats  []float64
	Bools   []bool
	Strs    []string
	Null    []bool // nil when no row is null
	Offsets []int32
	rows    int
}

// Len returns the number of rows.
func (c *Column) Len() int { return c.rows }

// IsNull reports whether row i is null.
func (c *Column) IsNull(i int) bool { return c.Null != nil && c.Null[i] }

// Span returns the element range of row i of a list column.
func (c *Column) Span(i int) (lo, hi int) { return int(c.Offsets[i]), int(c.Offsets[i+1]) }

// Table is a set of equally long columns.
type Table struct {
	Rows    int
	Columns map[string]*Column
	order   []*Column // aligned with the names the table was read with
}

// Column returns the named column, or nil when it was not loaded.
func (t *Table) Column(name string) *Column { return t.Columns[name] }

// File is an open Parquet file.
type File struct {
	f    *os.File
	pf   *parquet.File
	path string
}

// Open opens a Parquet file for column reads.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	pf, err := parquet.OpenFile(f, fi.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{f: f, pf: pf, path: path}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// Rows returns the number of rows in the file.
func (f *File) Rows() int64 { return f.pf.NumRows() }

// Metadata returns a key-value metadata entry of the file.
func (f *File) Metadata(key string) (string, bool) { return f.pf.Lookup(key) }

// Names returns the top-level column names in schema order.
func (f *File) Names() []string {
	fields := f.pf.Schema().Fields()
	names := make([]string, len(fields))
	for i, fl := range fields {
		names[i] = fl.Name()
	}
	return names
}

// Has reports whether the file has a top-level column of that name.
func (f *File) Has(name string) bool {
	_, err := f.leaf(name)
	return err == nil
}

type leafInfo struct {
	parquet.LeafColumn
	kind Kind
	list bool
	unit int64 // nanoseconds per stored unit for timestamps
}

func (f *File) leaf(name string) (leafInfo, error) {
	s := f.pf.Schema()
	if lc, ok := s.Lookup(name); ok {
		if lc.MaxRepetitionLevel != 0 {
			return leafInfo{}, fmt.Errorf("%s: column %s: %w", f.path, name, ErrUnsupported)
		}
		return describe(lc, false)
	}
	if lc, ok := s.Lookup(name, "list", "element"); ok {
		if lc.MaxRepetitionLevel != 1 {
			return leafInfo{}, fmt.Errorf("%s: column %s: %w", f.path, name, ErrUnsupported)
		}
		return describe(lc, true)
	}
	return leafInfo{}, fmt.Errorf("%s: %s: %w", f.path, name, ErrNoColumn)
}

func describe(lc parquet.LeafColumn, list bool) (leafInfo, error) {
	li := leafInfo{LeafColumn: lc, list: list}
	t := lc.Node.Type()
	if lt := t.LogicalType(); lt != nil {
		if ts, ok := lt.Value.(*format.TimestampType); ok {
			li.kind = Time
			li.unit = 1e6
			if ts.Unit.Value != nil {
				li.unit = int64(ts.Unit.Value.Duration())
			}
			return li, nil
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		li.kind = Bool
	case parquet.Int32, parquet.Int64:
		li.kind = Int64
	case parquet.Float, parquet.Double:
		li.kind = Float64
	case parquet.ByteArray, parquet.FixedLenByteArray:
		li.kind = String
	default:
		return li, fmt.Errorf("column %s: type %s: %w", strings.Join(lc.Path, "."), t, ErrUnsupported)
	}
	return li, nil
}

// Read loads the named columns of the whole file.
func (f *File) Read(names ...string) (*Table, error) {
	infos, err := f.leaves(names)
	if err != nil {
		return nil, err
	}
	t := newTable(names, infos, int(f.pf.NumRows()))
	for _, rg := range f.pf.RowGroups() {
		if err := t.appendRowGroup(rg, infos); err != nil {
			return nil, fmt.Errorf("%s: %w", f.path, err)
		}
	}
	return t, nil
}

// Batches yields the named columns one row group at a time.
func (f *File) Batches(names ...string) iter.Seq2[*Table, error] {
	return func(yield func(*Table, error) bool) {
		infos, err := f.leaves(names)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, rg := range f.pf.RowGroups() {
			t := newTable(names, infos, int(rg.NumRows()))
			if err := t.appendRowGroup(rg, infos); err != nil {
				yield(nil, fmt.Errorf("%s: %w", f.path, err))
				return
			}
			if !yield(t, nil) {
				return
			}
		}
	}
}

func (f *File) leaves(names []string) ([]leafInfo, error) {
	infos := make([]leafInfo, len(names))
	for i, n := range names {
		li, err := f.leaf(n)
		if err != nil {
			return nil, err
		}
		infos[i] = li
	}
	return infos, nil
}

func newTable(names []string, infos []leafInfo, capRows int) *Table {
	t := &Table{Columns: make(map[string]*Column, len(names))}
	for i, n := range names {
		c := t.Columns[n]
		if c == nil {
			c = &Column{Name: n, Kind: infos[i].kind, List: infos[i].list}
			if c.List {
				c.Offsets = make([]int32, 1, capRows+1)
			}
			t.Columns[n] = c
		}
		t.order = append(t.order, c)
	}
	return t
}

func (t *Table) appendRowGroup(rg parquet.RowGroup, infos []leafInfo) error {
	chunks := rg.ColumnChunks()
	rows := -1
	done := make(map[*Column]bool, len(infos))
	for i, li := range infos {
		c := t.order[i]
		if done[c] { // the same name asked for twice
			continue
		}
		done[c] = true
		before := c.rows
		if err := c.readChunk(chunks[li.ColumnIndex], li); err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
		n := c.rows - before
		if rows >= 0 && n != rows {
			return fmt.Errorf("column %s: %d rows, others %d: %w", c.Name, n, rows, ErrUnsupported)
		}
		rows = n
	}
	if rows < 0 {
		rows = int(rg.NumRows())
	}
	t.Rows += rows
	return nil
}

func (c *Column) readChunk(cc parquet.ColumnChunk, li leafInfo) error {
	pages := cc.Pages()
	defer pages.Close()
	buf := make([]parquet.Value, 1024)
	for {
		page, err := pages.ReadPage()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		vr := page.Values()
		for {
			n, err := vr.ReadValues(buf)
			for _, v := range buf[:n] {
				c.add(v, li)
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				parquet.Release(page)
				return err
			}
		}
		parquet.Release(page)
	}
}

// add appends one leaf value, starting a new row when its repetition level
// says so.
func (c *Column) add(v parquet.Value, li leafInfo) {
	if !c.List {
		c.rows++
		if v.IsNull() {
			c.markNull()
			c.appendZero()
			return
		}
		c.appendValue(v, li)
		if c.Null != nil {
			c.Null = append(c.Null, false)
		}
		return
	}
	if v.RepetitionLevel() == 0 {
		c.rows++
		if c.Null != nil {
			c.Null = append(c.Null, false)
		}
		c.Offsets = append(c.Offsets, c.Offsets[len(c.Offsets)-1])
		// Definition levels of a three-level list: 0 null list (when the
		// list is optional), 1 empty list, max for a present element.
		if v.DefinitionLevel() == 0 && li.MaxDefinitionLevel >= 2 {
			c.Null = c.Null[:len(c.Null)-min(len(c.Null), 1)]
			c.markNull()
			return
		}
		if v.DefinitionLevel() < li.MaxDefinitionLevel-boolInt(li.Node.Optional()) {
			return // empty list
		}
	}
	if v.IsNull() {
		c.appendZero() // a null element inside a list
	} else {
		c.appendValue(v, li)
	}
	c.Offsets[len(c.Offsets)-1]++
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *Column) markNull() {
	if c.Null == nil {
		c.Null = make([]bool, c.rows-1, max(c.rows, 1024))
	}
	c.Null = append(c.Null, true)
}

func (c *Column) appendZero() {
	switch c.Kind {
	case Int64, Time:
		c.Ints = append(c.Ints, 0)
	case Float64:
		c.Floats = append(c.Floats, 0)
	case Bool:
		c.Bools = append(c.Bools, false)
	case String:
		c.Strs = append(c.Strs, "")
	}
}

func (c *Column) appendValue(v parquet.Value, li leafInfo) {
	switch c.Kind {
	case Int64:
		if v.Kind() == parquet.Int32 {
			c.Ints = append(c.Ints, int64(v.Int32()))
		} else {
			c.Ints = append(c.Ints, v.Int64())
		}
	case Time:
		c.Ints = append(c.Ints, v.Int64()*li.unit)
	case Float64:
		if v.Kind() == parquet.Float {
			c.Floats = append(c.Floats, float64(v.Float()))
		} else {
			c.Floats = append(c.Floats, v.Double())
		}
	case Bool:
		c.Bools = append(c.Bools, v.Boolean())
	case String:
		c.Strs = append(c.Strs, string(v.ByteArray()))
	}
}
