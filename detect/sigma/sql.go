package sigma

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"flowsift/extract/table"
)

// SQLQuery is one rule compiled to SQL, or the reason it cannot be.
type SQLQuery struct {
	RuleID     string
	Title      string
	File       string
	RecordType RecordType
	Query      string
	Err        error
}

// SQL compiles every supported rule to a query over the Parquet tables in
// dir, in DuckDB's dialect kept close to ANSI: read_parquet for the table,
// lower() for case-insensitive matching, LIKE with ESCAPE '\' for
// wildcards, list_filter with a lambda for list columns, regexp_matches
// (RE2, as in Go) for regular expressions. The query selects the row
// references that the Go engine's alerts cite. A rule that cannot be
// translated faithfully gets an error wrapping ErrNoSQL instead of a
// query. Correlations and legacy aggregations have no translation.
func (rs *Ruleset) SQL(dir string) []SQLQuery {
	var out []SQLQuery
	for _, cr := range rs.rules {
		q := SQLQuery{RuleID: cr.id, Title: cr.rule.Title, File: cr.rule.File, RecordType: cr.route.rt}
		if cr.legacyAgg != nil {
			q.Err = fmt.Errorf("rule %s: legacy aggregation: correlations have no SQL translation: %w", cr.id, ErrNoSQL)
		} else {
			q.Query, q.Err = cr.sql(dir)
		}
		out = append(out, q)
	}
	for _, cc := range rs.corrs {
		if cc.c.legacy {
			continue
		}
		out = append(out, SQLQuery{RuleID: cc.id, Title: cc.c.Title, File: cc.c.File, RecordType: cc.recordTypes(),
			Err: fmt.Errorf("correlation %s: correlations have no SQL translation: %w", cc.id, ErrNoSQL)})
	}
	return out
}

func (cr *compiledRule) sql(dir string) (string, error) {
	w := &sqlWriter{}
	where := w.node(cr.plan)
	if w.err != nil {
		return "", fmt.Errorf("rule %s: %w", cr.id, w.err)
	}
	cols := []string{"uid"}
	if cr.route.rt != Flows {
		cols = append(cols, "trans_depth")
	}
	cols = append(cols, "ts", "orig_h", "orig_p", "resp_h", "resp_p", "capture_id")
	path := strings.TrimSuffix(dir, "/") + "/" + cr.route.rt.File()
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s (%s)\n", oneLine(cr.rule.Title), cr.id)
	fmt.Fprintf(&b, "SELECT %s\nFROM read_parquet(%s)\nWHERE %s\nORDER BY ts, uid", strings.Join(cols, ", "), sqlString(path), where)
	if cr.route.rt != Flows {
		b.WriteString(", trans_depth")
	}
	b.WriteString(";\n")
	return b.String(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

type sqlWriter struct {
	err error
}

func (w *sqlWriter) fail(format string, args ...any) string {
	if w.err == nil {
		w.err = fmt.Errorf(format+": %w", append(args, ErrNoSQL)...)
	}
	return "FALSE"
}

func (w *sqlWriter) node(nd *node) string {
	switch nd.op {
	case nTrue:
		return "TRUE"
	case nFalse:
		return "FALSE"
	case nNot:
		return "(NOT " + w.node(nd.kids[0]) + ")"
	case nAnd, nOr:
		op := " AND "
		if nd.op == nOr {
			op = " OR "
		}
		parts := make([]string, len(nd.kids))
		for i, k := range nd.kids {
			parts[i] = w.node(k)
		}
		return "(" + strings.Join(parts, op) + ")"
	}
	return w.leaf(nd.leaf)
}

// sqlIdent quotes a column name; several (AA, TTLs, Z) are case-sensitive.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqlString quotes a literal; standard SQL strings keep backslashes as they
// are.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// literal quotes a rule literal, refusing bytes that have no portable SQL
// spelling.
func (w *sqlWriter) literal(s string) string {
	if !utf8.ValidString(s) {
		return w.fail("value %q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return w.fail("value %q contains control characters", s)
		}
	}
	return sqlString(s)
}

var sqlAccepted, sqlRejected, sqlDropped = verdictStates(1), verdictStates(2), verdictStates(3)

func verdictStates(v int) string {
	var s []string
	for k, x := range stateVerdict {
		if x == v {
			s = append(s, sqlString(k))
		}
	}
	slices.Sort(s)
	return strings.Join(s, ", ")
}

func sqlList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = sqlString(w)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// source renders a source as an SQL expression.
func (w *sqlWriter) source(s *source) string {
	uri := sqlIdent("uri")
	path := "split_part(regexp_replace(" + uri + ", '^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*', ''), '?', 1)"
	switch s.der {
	case dNone:
		return sqlIdent(s.col)
	case dURIPath:
		return path
	case dURIQuery:
		return "CASE WHEN strpos(" + uri + ", '?') > 0 THEN substr(" + uri + ", strpos(" + uri + ", '?') + 1) END"
	case dURIExt:
		return "nullif(regexp_extract(" + path + `, '\.([^./]+)$', 1), '')`
	case dAbsURI:
		return "CASE WHEN starts_with(" + uri + ", '/') AND " + sqlIdent("host") + " IS NOT NULL THEN 'http://' || " + sqlIdent("host") + " || " + uri + " ELSE " + uri + " END"
	case dAction:
		cs := sqlIdent("conn_state")
		return "CASE WHEN " + cs + " IN (" + sqlAccepted + ") THEN " + sqlList(verdictAccepted) +
			" WHEN " + cs + " IN (" + sqlRejected + ") THEN " + sqlList(verdictRejected) +
			" WHEN " + cs + " IN (" + sqlDropped + ") THEN " + sqlList(verdictDropped) + " END"
	case dBlocked:
		cs := sqlIdent("conn_state")
		return "CASE WHEN " + cs + " IN (" + sqlAccepted + ") THEN FALSE WHEN " + cs + " IN (" + sqlRejected + ", " + sqlDropped + ") THEN TRUE END"
	case dTrue:
		return "TRUE"
	case dIsIPv6:
		return "(" + sqlIdent("ip_version") + " = 6)"
	}
	return w.fail("source %s", s.key)
}

// text renders an element as the text the Go engine compares.
func (w *sqlWriter) text(e string, kind table.Kind) string {
	switch kind {
	case table.String:
		return e
	case table.Int64:
		return "CAST(" + e + " AS VARCHAR)"
	case table.Bool:
		return "CASE WHEN " + e + " THEN 'true' ELSE 'false' END"
	}
	return w.fail("text matching on a %s column has no portable SQL text form", kind)
}

func (w *sqlWriter) leaf(l *leaf) string {
	src := w.source(l.src)
	switch l.kind {
	case lkExists:
		return "(" + src + " IS NOT NULL)"
	case lkFieldRef:
		if l.src.list || l.ref.list {
			return w.fail("fieldref on list columns")
		}
		a := "lower(" + w.text(src, l.src.kind) + ")"
		b := "lower(" + w.text(w.source(l.ref), l.ref.kind) + ")"
		var e string
		switch l.refMode {
		case opPrefix:
			e = "starts_with(" + a + ", " + b + ")"
		case opSuffix:
			e = "ends_with(" + a + ", " + b + ")"
		case opContains:
			e = "strpos(" + a + ", " + b + ") > 0"
		default:
			e = a + " = " + b
		}
		return "coalesce(" + e + ", FALSE)"
	}
	elem := src
	if l.src.list {
		elem = "x"
	}
	var preds []string
	fold := func() string { return "lower(" + w.text(elem, l.src.kind) + ")" }
	for _, m := range l.folded {
		preds = append(preds, w.strPred(fold(), m))
	}
	if len(l.eqSet) > 0 {
		lits := make([]string, 0, len(l.eqSet))
		for s := range l.eqSet {
			lits = append(lits, w.literal(s))
		}
		slices.Sort(lits)
		preds = append(preds, fold()+" IN ("+strings.Join(lits, ", ")+")")
	}
	for _, m := range l.cased {
		preds = append(preds, w.strPred(w.text(elem, l.src.kind), m))
	}
	for _, r := range l.regexes {
		preds = append(preds, "regexp_matches("+w.text(elem, l.src.kind)+", "+w.literal(r.src)+")")
	}
	if len(l.ints) > 0 {
		if l.src.kind != table.Int64 {
			return w.fail("integer equality on a %s column", l.src.kind)
		}
		ns := make([]string, len(l.ints))
		for i, n := range l.ints {
			ns[i] = strconv.FormatInt(n, 10)
		}
		preds = append(preds, elem+" IN ("+strings.Join(ns, ", ")+")")
	}
	if len(l.floats) > 0 {
		fs := make([]string, len(l.floats))
		for i, f := range l.floats {
			fs[i] = "CAST(" + strconv.FormatFloat(f, 'g', -1, 64) + " AS DOUBLE)"
		}
		preds = append(preds, elem+" IN ("+strings.Join(fs, ", ")+")")
	}
	switch l.bools {
	case 1:
		preds = append(preds, elem+" = FALSE")
	case 2:
		preds = append(preds, elem+" = TRUE")
	case 3:
		preds = append(preds, elem+" IS NOT NULL")
	}
	for _, c := range l.cmps {
		num := elem
		switch l.src.kind {
		case table.Int64, table.Float64:
		case table.String:
			num = "TRY_CAST(trim(" + elem + ") AS DOUBLE)"
		default:
			return w.fail("numeric comparison on a %s column", l.src.kind)
		}
		op := map[string]string{"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[c.op]
		preds = append(preds, num+" "+op+" "+strconv.FormatFloat(c.num, 'g', -1, 64))
	}
	for _, p := range l.nets {
		preds = append(preds, w.cidr(w.text(elem, l.src.kind), p))
	}
	for _, t := range l.times {
		if l.src.kind != table.Time {
			return w.fail("%s modifier on a %s column", t.part, l.src.kind)
		}
		// make_timestamp(epoch_us) is a naive UTC timestamp: no session
		// time zone can shift the hour or day.
		preds = append(preds, fmt.Sprintf("%s(make_timestamp(epoch_us(%s))) = %d", t.part, elem, t.n))
	}
	var anyElem string
	if len(preds) > 0 {
		anyElem = strings.Join(preds, " OR ")
		if l.src.list {
			anyElem = "len(list_filter(" + src + ", lambda x: " + anyElem + ")) > 0"
		}
		anyElem = "coalesce(" + anyElem + ", FALSE)"
	}
	switch {
	case l.matchNull && anyElem != "":
		return "(" + src + " IS NULL OR " + anyElem + ")"
	case l.matchNull:
		return "(" + src + " IS NULL)"
	case anyElem == "":
		return "FALSE"
	}
	return anyElem
}

// likePattern renders a pattern for LIKE ... ESCAPE '\'.
func likePattern(p pattern, norm func(string) string) string {
	var b strings.Builder
	for _, t := range p {
		switch t.kind {
		case tokStar:
			b.WriteByte('%')
		case tokOne:
			b.WriteByte('_')
		default:
			s := norm(t.s)
			for _, r := range s {
				if r == '%' || r == '_' || r == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func (w *sqlWriter) strPred(e string, m *strMatcher) string {
	norm := func(s string) string {
		if m.cased {
			return s
		}
		return fold(s)
	}
	if m.op == opAny {
		return e + " IS NOT NULL"
	}
	if m.op == opEq {
		return e + " = " + w.literal(m.lit)
	}
	return e + " LIKE " + w.literal(likePattern(m.pat, norm)) + ` ESCAPE '\'`
}

// cidr renders containment. IPv4: arithmetic on the dotted quad, guarded
// by the same strictness as Go's address parser (no leading zeros, octets
// up to 255). IPv6 relies on the schema's canonical (RFC 5952) text: a host
// prefix is text equality, a prefix of whole non-zero groups is a text
// prefix (a zero group could be compressed away), and a prefix within the
// first group is a range on that group. Other IPv6 prefixes are refused.
func (w *sqlWriter) cidr(e string, p netip.Prefix) string {
	if !p.Addr().Is4() {
		return w.cidr6(e, p)
	}
	const octet = `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])`
	a := p.Addr().As4()
	lo := uint64(a[0])<<24 | uint64(a[1])<<16 | uint64(a[2])<<8 | uint64(a[3])
	hi := lo | (1<<(32-p.Bits()) - 1)
	num := fmt.Sprintf("(TRY_CAST(split_part(%[1]s, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(split_part(%[1]s, '.', 2) AS BIGINT) * 65536 + TRY_CAST(split_part(%[1]s, '.', 3) AS BIGINT) * 256 + TRY_CAST(split_part(%[1]s, '.', 4) AS BIGINT))", e)
	return fmt.Sprintf("(regexp_full_match(%s, '%s\\.%s\\.%s\\.%s') AND %s BETWEEN %d AND %d)", e, octet, octet, octet, octet, num, lo, hi)
}

func (w *sqlWriter) cidr6(e string, p netip.Prefix) string {
	a := p.Addr().As16()
	group := func(i int) uint16 { return uint16(a[2*i])<<8 | uint16(a[2*i+1]) }
	switch bits := p.Bits(); {
	case bits == 128:
		return e + " = " + sqlString(p.Addr().String())
	case bits > 0 && bits <= 16 && group(0) != 0:
		lo := group(0)
		hi := lo | uint16(1<<(16-bits)-1)
		return fmt.Sprintf("(strpos(%[1]s, ':') > 0 AND TRY_CAST(('0x' || split_part(%[1]s, ':', 1)) AS INTEGER) BETWEEN %[2]d AND %[3]d)", e, lo, hi)
	case bits%16 == 0 && bits > 0:
		var parts []string
		for i := range bits / 16 {
			if group(i) == 0 {
				return w.fail("IPv6 cidr %s has a zero group that canonical text may compress; no portable SQL translation", p)
			}
			parts = append(parts, strconv.FormatUint(uint64(group(i)), 16))
		}
		return "starts_with(" + e + ", " + sqlString(strings.Join(parts, ":")+":") + ")"
	}
	return w.fail("IPv6 cidr %s has no portable SQL translation", p)
}
