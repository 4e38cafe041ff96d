package table

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"unsafe"

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
	strs    stringStore
	// dict caches the strings of the dictionary pages are reading from.
	dict     parquet.Dictionary
	dictStrs []string
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

// ReadOptional loads the named columns of the table at path, which may be
// absent: a protocol table extract did not write is (nil, nil).
func ReadOptional(path string, names ...string) (*Table, error) {
	f, err := Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := f.Read(names...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
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
			} else {
				c.reserve(capRows)
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
		if !c.List && c.readTyped(page, li) {
			parquet.Release(page)
			continue
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

// readTyped appends a page of a flat column from its typed value arrays,
// without a parquet.Value per value. It returns false, having appended
// nothing, for pages it does not handle (booleans, unusual physical types,
// inconsistent lengths); those go through the generic path.
func (c *Column) readTyped(page parquet.Page, li leafInfo) bool {
	if len(page.RepetitionLevels()) > 0 || c.Kind == Bool {
		return false
	}
	n := int(page.NumValues())
	defs := page.DefinitionLevels()
	if defs != nil && len(defs) != n {
		return false
	}
	maxDef := byte(li.MaxDefinitionLevel)
	present := n
	if defs != nil {
		present = 0
		for _, d := range defs {
			if d == maxDef {
				present++
			}
		}
	}
	data := page.Data()
	kind := page.Type().Kind()
	var idx []int32
	if d := page.Dictionary(); d != nil {
		idx = data.Int32()
		data = d.Page().Data()
		kind = d.Type().Kind()
		if len(idx) < present {
			return false
		}
		size := d.Len()
		for _, j := range idx[:present] {
			if j < 0 || int(j) >= size {
				return false
			}
		}
	}
	// at maps the k-th present value to its index in the value arrays.
	at := func(k int) int {
		if idx != nil {
			return int(idx[k])
		}
		return k
	}
	var vals int
	switch kind {
	case parquet.Int32:
		vals = len(data.Int32())
	case parquet.Int64:
		vals = len(data.Int64())
	case parquet.Float:
		vals = len(data.Float())
	case parquet.Double:
		vals = len(data.Double())
	case parquet.ByteArray:
		_, offs := data.ByteArray()
		vals = len(offs) - 1
	default:
		return false
	}
	if idx == nil && vals < present {
		return false
	}
	switch {
	case c.Kind == String && kind == parquet.ByteArray:
		var strs []string
		if idx != nil {
			strs = c.dictStrings(page.Dictionary())
		}
		b, offs := data.ByteArray()
		c.fill(n, defs, maxDef, func(k int) {
			if strs != nil {
				c.Strs = append(c.Strs, strs[idx[k]])
				return
			}
			c.Strs = append(c.Strs, c.strs.get(b[offs[k]:offs[k+1]]))
		}, func() { c.Strs = append(c.Strs, "") })
	case (c.Kind == Int64 || c.Kind == Time) && kind == parquet.Int64:
		v, unit := data.Int64(), max(li.unit, 1)
		if c.Kind == Int64 {
			unit = 1
		}
		c.fill(n, defs, maxDef, func(k int) { c.Ints = append(c.Ints, v[at(k)]*unit) }, func() { c.Ints = append(c.Ints, 0) })
	case c.Kind == Int64 && kind == parquet.Int32:
		v := data.Int32()
		c.fill(n, defs, maxDef, func(k int) { c.Ints = append(c.Ints, int64(v[at(k)])) }, func() { c.Ints = append(c.Ints, 0) })
	case c.Kind == Float64 && kind == parquet.Double:
		v := data.Double()
		c.fill(n, defs, maxDef, func(k int) { c.Floats = append(c.Floats, v[at(k)]) }, func() { c.Floats = append(c.Floats, 0) })
	case c.Kind == Float64 && kind == parquet.Float:
		v := data.Float()
		c.fill(n, defs, maxDef, func(k int) { c.Floats = append(c.Floats, float64(v[at(k)])) }, func() { c.Floats = append(c.Floats, 0) })
	default:
		return false
	}
	return true
}

// fill appends n rows: present(k) for the k-th row whose definition level
// is maxDef, null() and a null mark for the others.
func (c *Column) fill(n int, defs []byte, maxDef byte, present func(k int), null func()) {
	k := 0
	for i := range n {
		c.rows++
		if defs != nil && defs[i] != maxDef {
			c.markNull()
			null()
			continue
		}
		present(k)
		k++
		if c.Null != nil {
			c.Null = append(c.Null, false)
		}
	}
}

// dictStrings returns a dictionary's values as strings, converting each
// dictionary once.
func (c *Column) dictStrings(d parquet.Dictionary) []string {
	if d == c.dict {
		return c.dictStrs
	}
	data := d.Page().Data()
	b, offs := data.ByteArray()
	c.dict, c.dictStrs = d, make([]string, len(offs)-1)
	for i := range c.dictStrs {
		c.dictStrs[i] = c.strs.get(b[offs[i]:offs[i+1]])
	}
	return c.dictStrs
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
		c.Strs = append(c.Strs, c.strs.get(v.ByteArray()))
	}
}

// reserve sizes the value slice for n rows, so that a whole file's column
// grows once.
func (c *Column) reserve(n int) {
	switch c.Kind {
	case Int64, Time:
		c.Ints = make([]int64, 0, n)
	case Float64:
		c.Floats = make([]float64, 0, n)
	case Bool:
		c.Bools = make([]bool, 0, n)
	case String:
		c.Strs = make([]string, 0, n)
	}
}

// stringStore turns byte values into strings without one allocation per
// value: repeated values (protocols, states, host addresses) are interned
// while that pays, and the rest are cut from large shared blocks.
type stringStore struct {
	interned map[string]string
	block    []byte
}

const (
	internLimit = 1 << 14 // distinct values interned at most
	blockSize   = 64 << 10
)

func (s *stringStore) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s.interned != nil {
		if v, ok := s.interned[string(b)]; ok {
			return v
		}
	}
	v := s.copy(b)
	// Intern the first distinct values: enough for enumerations and the
	// hosts of a capture, bounded for columns of unique values (uids).
	if len(s.interned) < internLimit {
		if s.interned == nil {
			s.interned = make(map[string]string)
		}
		s.interned[v] = v
	}
	return v
}

// copy returns b as a string backed by the current block. Blocks are
// never written after a string is cut from them.
func (s *stringStore) copy(b []byte) string {
	if len(b) > blockSize/8 {
		return string(b)
	}
	if len(s.block)+len(b) > cap(s.block) {
		s.block = make([]byte, 0, blockSize)
	}
	off := len(s.block)
	s.block = append(s.block, b...)
	return unsafe.String(&s.block[off], len(b))
}
