package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Rule is a parsed Sigma detection rule. Metadata is kept as written
// (dates stay strings); the detection keeps every value's exact text and
// YAML type.
type Rule struct {
	File string
	Pos  Pos
	Meta
	Logsource Logsource
	Detection Detection
	// Warnings are non-fatal findings from parsing.
	Warnings []string
}

// Meta is the metadata shared by rules and correlations.
type Meta struct {
	ID             string
	Name           string
	Title          string
	Status         string
	Description    string
	Level          string
	Author         string
	License        string
	Date           string
	Modified       string
	References     []string
	FalsePositives []string
	Tags           []string
}

// label identifies a rule in messages: its id, else its title.
func (m *Meta) label() string {
	if m.ID != "" {
		return m.ID
	}
	return m.Title
}

// Logsource selects the data a rule applies to.
type Logsource struct {
	Category   string
	Product    string
	Service    string
	Definition string
	Pos        Pos
}

// Detection holds the search identifiers and the condition.
type Detection struct {
	Pos Pos
	// Searches are in file order.
	Searches []*Search
	// Conditions are ORed (a YAML list of conditions).
	Conditions []*Condition
	// Timeframe is the legacy (v1) aggregation window, as written.
	Timeframe    string
	TimeframePos Pos
}

// Search looks a search identifier up by name.
func (d *Detection) Search(name string) *Search {
	for _, s := range d.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Condition is one condition with its parsed expression and, for legacy
// rules, the aggregation after the pipe.
type Condition struct {
	Text string
	Pos  Pos
	Expr Expr
	Agg  *Aggregation
}

// Aggregation is a legacy "| agg(field) by group op value" clause.
type Aggregation struct {
	Func  string // count, sum, avg, min, max
	Field string
	By    []string
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
}

// Search is one search identifier: its groups are ORed, the items of a
// group are ANDed.
type Search struct {
	Name   string
	Pos    Pos
	Groups []*Group
}

// Group is a map of field matches (ANDed).
type Group struct {
	Pos   Pos
	Items []*Item
}

// Item is one "field|modifier...: values" entry. Field is empty for
// keywords.
type Item struct {
	Pos       Pos
	Field     string
	Modifiers []string
	Values    []Value
}

// Key renders the item's key as written.
func (it *Item) Key() string {
	if len(it.Modifiers) == 0 {
		return it.Field
	}
	return it.Field + "|" + strings.Join(it.Modifiers, "|")
}

// Correlation is a parsed Sigma correlation rule (or a legacy aggregation
// translated into one).
type Correlation struct {
	File string
	Pos  Pos
	Meta
	Type     string
	Rules    []string
	GroupBy  []string
	Timespan time.Duration // zero: unbounded (legacy rules without timeframe)
	// TimespanText is the timespan as written.
	TimespanText string
	Conds        []CorrCond
	Field        []string
	Percentile   float64
	// Aliases maps an alias to, per referenced rule (id or name), the
	// field that supplies it.
	Aliases  map[string]map[string]string
	Generate bool
	// legacy marks a translation of a v1 aggregation; its base rule is
	// internal.
	legacy   bool
	Warnings []string
}

// CorrCond is one comparison of a correlation condition.
type CorrCond struct {
	Op    string
	Value float64
}

// Document is one YAML document of a rule file: a rule, a correlation,
// or the error that kept it from being either.
type Document struct {
	File        string
	Pos         Pos
	Rule        *Rule
	Correlation *Correlation
	Err         error
	// Title and ID are filled in as far as parsing got, for reports.
	Title string
	ID    string
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// maxNodes bounds the YAML nodes visited per document, so that alias
// expansion cannot blow up.
const maxNodes = 200_000

// Parse parses every YAML document in data. name is used in messages. A
// YAML syntax error ends the file (the decoder cannot resynchronise); a
// rule error affects only its own document.
func Parse(name string, data []byte) (docs []*Document) {
	defer func() {
		// yaml.v3 is third-party code; a panic on hostile input must not
		// cross this package's API.
		if r := recover(); r != nil {
			docs = append(docs, &Document{File: name, Err: &RuleError{File: name, Msg: fmt.Sprintf("YAML decoder failed: %v", r), Err: ErrSyntax}})
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			docs = append(docs, &Document{File: name, Pos: Pos{Line: line}, Err: &RuleError{File: name, Line: line, Msg: "YAML: " + msg, Err: ErrSyntax}})
			break
		}
		if emptyDocument(&n) {
			continue // a stray "---" at the end of a file
		}
		docs = append(docs, parseDocument(name, &n))
	}
	if len(docs) == 0 {
		docs = append(docs, &Document{File: name, Err: &RuleError{File: name, Msg: "no YAML document", Err: ErrInvalid}})
	}
	return docs
}

func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		n = n.Content[0]
	}
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && n.Style&yaml.TaggedStyle == 0
}

type docParser struct {
	file     string
	nodes    int
	warnings []string
}

func parseDocument(file string, n *yaml.Node) *Document {
	p := &docParser{file: file}
	doc := &Document{File: file, Pos: nodePos(n)}
	root := n
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			doc.Err = &RuleError{File: file, Line: n.Line, Msg: "empty document", Err: ErrInvalid}
			return doc
		}
		root = root.Content[0]
	}
	doc.Pos = nodePos(root)
	err := p.parseRoot(doc, root)
	if err != nil {
		var re *RuleError
		if !errors.As(err, &re) {
			re = &RuleError{Line: doc.Pos.Line, Msg: err.Error(), Err: err}
		}
		re.File = file
		if re.Rule == "" {
			re.Rule = doc.ID
			if re.Rule == "" {
				re.Rule = doc.Title
			}
		}
		doc.Err = re
		doc.Rule, doc.Correlation = nil, nil
	}
	return doc
}

type pair struct {
	key string
	k   *yaml.Node
	v   *yaml.Node
}

func (p *docParser) deref(n *yaml.Node) (*yaml.Node, error) {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if depth > 64 {
			return nil, errAt(nodePos(n), ErrLimit, "YAML alias chain too long")
		}
		n = n.Alias
	}
	if n == nil {
		return nil, errAt(Pos{}, ErrSyntax, "YAML alias to nothing")
	}
	p.nodes++
	if p.nodes > maxNodes {
		return nil, errAt(nodePos(n), ErrLimit, "more than %d YAML nodes (alias expansion?)", maxNodes)
	}
	return n, nil
}

// pairs returns a mapping's entries, rejecting duplicate and non-scalar
// keys (PyYAML would keep the last duplicate silently; that hides bugs).
func (p *docParser) pairs(n *yaml.Node, what string) ([]pair, error) {
	n, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, errAt(nodePos(n), ErrInvalid, "%s must be a map, not %s", what, kindName(n))
	}
	seen := map[string]int{}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, err := p.deref(n.Content[i])
		if err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, errAt(nodePos(k), ErrInvalid, "%s: keys must be scalars", what)
		}
		if k.Value == "<<" && k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) == 0 {
			return nil, errAt(nodePos(k), ErrInvalid, "%s: YAML merge keys are not supported", what)
		}
		if first, dup := seen[k.Value]; dup {
			return nil, errAt(nodePos(k), ErrInvalid, "%s: duplicate key %q (first at line %d)", what, k.Value, first)
		}
		seen[k.Value] = k.Line
		out = append(out, pair{key: k.Value, k: k, v: n.Content[i+1]})
	}
	return out, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "an unknown node"
}

// str reads a scalar as text, whatever its YAML type (titles and ids may
// look like numbers or dates).
func (p *docParser) str(n *yaml.Node, what string) (string, error) {
	n, err := p.deref(n)
	if err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", errAt(nodePos(n), ErrInvalid, "%s must be a scalar, not %s", what, kindName(n))
	}
	return n.Value, nil
}

// strList reads a scalar or a list of scalars.
func (p *docParser) strList(n *yaml.Node, what string) ([]string, error) {
	n, err := p.deref(n)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" && n.Style&yaml.TaggedStyle == 0 && (n.Value == "" || n.Value == "~" || strings.EqualFold(n.Value, "null")) {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, c := range n.Content {
			s, err := p.str(c, what+" entry")
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, errAt(nodePos(n), ErrInvalid, "%s must be a list of strings, not %s", what, kindName(n))
}

var (
	validLevels = map[string]bool{"informational": true, "low": true, "medium": true, "high": true, "critical": true}
	validStatus = map[string]bool{"stable": true, "test": true, "experimental": true, "deprecated": true, "unsupported": true}
	uuidRE      = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	dateRE      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func (p *docParser) parseMeta(m *Meta, pp []pair) error {
	for _, kv := range pp {
		var err error
		switch kv.key {
		case "id":
			m.ID, err = p.str(kv.v, "id")
			if err == nil && !uuidRE.MatchString(m.ID) {
				p.warn(kv.k, "id %q is not a UUID", m.ID)
			}
		case "name":
			m.Name, err = p.str(kv.v, "name")
		case "title":
			m.Title, err = p.str(kv.v, "title")
		case "status":
			m.Status, err = p.str(kv.v, "status")
			if err == nil && !validStatus[m.Status] {
				err = errAt(nodePos(kv.v), ErrInvalid, "status %q: must be one of stable, test, experimental, deprecated, unsupported", m.Status)
			}
		case "description":
			m.Description, err = p.str(kv.v, "description")
		case "level":
			m.Level, err = p.str(kv.v, "level")
			if err == nil && !validLevels[m.Level] {
				err = errAt(nodePos(kv.v), ErrInvalid, "level %q: must be one of informational, low, medium, high, critical", m.Level)
			}
		case "author":
			m.Author, err = p.str(kv.v, "author")
		case "license":
			m.License, err = p.str(kv.v, "license")
		case "date", "modified":
			var s string
			s, err = p.str(kv.v, kv.key)
			if err == nil && !dateRE.MatchString(s) {
				p.warn(kv.v, "%s %q is not YYYY-MM-DD", kv.key, s)
			}
			if kv.key == "date" {
				m.Date = s
			} else {
				m.Modified = s
			}
		case "references":
			m.References, err = p.strList(kv.v, "references")
		case "falsepositives":
			m.FalsePositives, err = p.strList(kv.v, "falsepositives")
		case "tags":
			m.Tags, err = p.strList(kv.v, "tags")
			for _, t := range m.Tags {
				if t != strings.ToLower(t) || !strings.Contains(t, ".") {
					p.warn(kv.v, "tag %q is not a lower-case namespace.name tag", t)
				}
			}
		}
		if err != nil {
			return err
		}
	}
	if m.Title == "" {
		return errAt(Pos{}, ErrInvalid, "missing title")
	}
	if len(m.Title) > 256 {
		return errAt(Pos{}, ErrInvalid, "title longer than 256 characters")
	}
	return nil
}

func (p *docParser) warn(n *yaml.Node, format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...)))
}

func (p *docParser) parseRoot(doc *Document, root *yaml.Node) error {
	pp, err := p.pairs(root, "rule document")
	if err != nil {
		return err
	}
	has := map[string]*yaml.Node{}
	for _, kv := range pp {
		has[kv.key] = kv.v
		switch kv.key {
		case "title", "id":
			if s, err := p.str(kv.v, kv.key); err == nil {
				if kv.key == "title" {
					doc.Title = s
				} else {
					doc.ID = s
				}
			}
		}
	}
	if a, ok := has["action"]; ok {
		s, _ := p.str(a, "action")
		return errAt(nodePos(a), ErrUnsupported, "legacy Sigma v1 rule collection (action: %s); split it into standalone rules", s)
	}
	if _, ok := has["filter"]; ok {
		return errAt(nodePos(root), ErrUnsupported, "meta filter documents are not supported; put the exclusion into the rules it filters")
	}
	if c, ok := has["correlation"]; ok {
		corr := &Correlation{File: p.file, Pos: nodePos(root)}
		if err := p.parseMeta(&corr.Meta, pp); err != nil {
			return err
		}
		if g, ok := has["generate"]; ok {
			if corr.Generate, err = p.boolean(g, "generate"); err != nil {
				return err
			}
		}
		if err := p.parseCorrelation(corr, c); err != nil {
			return err
		}
		corr.Warnings = p.warnings
		doc.Correlation = corr
		return nil
	}
	r := &Rule{File: p.file, Pos: nodePos(root)}
	if err := p.parseMeta(&r.Meta, pp); err != nil {
		if re := (*RuleError)(nil); errors.As(err, &re) && re.Line == 0 {
			re.Line, re.Column = r.Pos.Line, r.Pos.Column
		}
		return err
	}
	ls, ok := has["logsource"]
	if !ok {
		return errAt(r.Pos, ErrInvalid, "missing logsource")
	}
	if r.Logsource, err = p.parseLogsource(ls); err != nil {
		return err
	}
	det, ok := has["detection"]
	if !ok {
		return errAt(r.Pos, ErrInvalid, "missing detection")
	}
	if r.Detection, err = p.parseDetection(det); err != nil {
		return err
	}
	r.Warnings = p.warnings
	doc.Rule = r
	return nil
}

func (p *docParser) boolean(n *yaml.Node, what string) (bool, error) {
	n, err := p.deref(n)
	if err != nil {
		return false, err
	}
	if n.Kind == yaml.ScalarNode {
		v, err := scalarValue(n)
		if err == nil && v.Kind == KindBool {
			return v.Bool, nil
		}
		if b, ok := yaml11Bool(n.Value); ok {
			return b, nil
		}
	}
	return false, errAt(nodePos(n), ErrInvalid, "%s must be true or false", what)
}

func (p *docParser) parseLogsource(n *yaml.Node) (Logsource, error) {
	ls := Logsource{Pos: nodePos(n)}
	pp, err := p.pairs(n, "logsource")
	if err != nil {
		return ls, err
	}
	for _, kv := range pp {
		var s string
		switch kv.key {
		case "category", "product", "service", "definition":
			if s, err = p.str(kv.v, "logsource "+kv.key); err != nil {
				return ls, err
			}
		}
		switch kv.key {
		case "category":
			ls.Category = s
		case "product":
			ls.Product = s
		case "service":
			ls.Service = s
		case "definition":
			ls.Definition = s
		}
	}
	return ls, nil
}

func (p *docParser) parseDetection(n *yaml.Node) (Detection, error) {
	d := Detection{Pos: nodePos(n)}
	pp, err := p.pairs(n, "detection")
	if err != nil {
		return d, err
	}
	var condNode *yaml.Node
	for _, kv := range pp {
		switch kv.key {
		case "condition":
			condNode = kv.v
		case "timeframe":
			if d.Timeframe, err = p.str(kv.v, "timeframe"); err != nil {
				return d, err
			}
			d.TimeframePos = nodePos(kv.v)
		default:
			s, err := p.parseSearch(kv)
			if err != nil {
				return d, err
			}
			d.Searches = append(d.Searches, s)
		}
	}
	if condNode == nil {
		return d, errAt(d.Pos, ErrInvalid, "detection has no condition")
	}
	if len(d.Searches) == 0 {
		return d, errAt(d.Pos, ErrInvalid, "detection has no search identifiers")
	}
	cn, err := p.deref(condNode)
	if err != nil {
		return d, err
	}
	var conds []*yaml.Node
	switch cn.Kind {
	case yaml.ScalarNode:
		conds = []*yaml.Node{cn}
	case yaml.SequenceNode:
		conds = cn.Content
		if len(conds) == 0 {
			return d, errAt(nodePos(cn), ErrInvalid, "empty condition list")
		}
	default:
		return d, errAt(nodePos(cn), ErrInvalid, "condition must be a string or a list of strings")
	}
	for _, c := range conds {
		c, err := p.deref(c)
		if err != nil {
			return d, err
		}
		if c.Kind != yaml.ScalarNode {
			return d, errAt(nodePos(c), ErrInvalid, "condition must be a string, not %s", kindName(c))
		}
		cond, err := parseConditionNode(c)
		if err != nil {
			return d, err
		}
		d.Conditions = append(d.Conditions, cond)
	}
	if len(d.Conditions) > 1 {
		for _, c := range d.Conditions {
			if c.Agg != nil {
				return d, errAt(c.Pos, ErrInvalid, "a legacy aggregation must be the only condition")
			}
		}
	}
	return d, nil
}

// parseConditionNode parses one condition, splitting off a legacy
// aggregation after a pipe.
func parseConditionNode(n *yaml.Node) (*Condition, error) {
	c := &Condition{Text: n.Value, Pos: nodePos(n)}
	textCol := 0
	if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		textCol = 1
	}
	at := func(off int) Pos {
		if strings.Contains(n.Value, "\n") || n.Column == 0 {
			return c.Pos
		}
		return Pos{Line: n.Line, Column: n.Column + textCol + off}
	}
	exprText := n.Value
	if i := strings.IndexByte(n.Value, '|'); i >= 0 {
		agg, err := parseAggregation(n.Value[i+1:])
		if err != nil {
			var ce *ConditionError
			if errors.As(err, &ce) {
				return nil, errAt(at(i+1+ce.Offset), ErrSyntax, "legacy aggregation: %s", ce.Msg)
			}
			return nil, errAt(at(i+1), ErrSyntax, "legacy aggregation: %v", err)
		}
		c.Agg = agg
		exprText = n.Value[:i]
	}
	e, err := ParseCondition(exprText)
	if err != nil {
		var ce *ConditionError
		if errors.As(err, &ce) {
			return nil, errAt(at(ce.Offset), ErrSyntax, "condition %q: %s", strings.TrimSpace(n.Value), ce.Msg)
		}
		return nil, errAt(c.Pos, ErrSyntax, "condition: %v", err)
	}
	c.Expr = e
	return c, nil
}

var aggRE = regexp.MustCompile(`^\s*(count|sum|avg|min|max)\s*\(\s*([^()\s]*)\s*\)\s*(?:by\s+([^<>=!\s]+(?:\s*,\s*[^<>=!\s]+)*)\s*)?(<=|>=|==|!=|<|>|=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$`)

func parseAggregation(s string) (*Aggregation, error) {
	if strings.Contains(s, "near") {
		return nil, &ConditionError{strings.Index(s, "near"), "the near aggregation has no Sigma v2 equivalent"}
	}
	m := aggRE.FindStringSubmatch(s)
	if m == nil {
		return nil, &ConditionError{0, fmt.Sprintf("%q is not agg([field]) [by field] op number", strings.TrimSpace(s))}
	}
	a := &Aggregation{Func: m[1], Field: m[2]}
	if m[3] != "" {
		for _, g := range strings.Split(m[3], ",") {
			a.By = append(a.By, strings.TrimSpace(g))
		}
	}
	a.Op = map[string]string{"<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "=": "eq", "==": "eq", "!=": "neq"}[m[4]]
	a.Value, _ = strconv.ParseFloat(m[5], 64)
	return a, nil
}

func (p *docParser) parseSearch(kv pair) (*Search, error) {
	s := &Search{Name: kv.key, Pos: nodePos(kv.k)}
	n, err := p.deref(kv.v)
	if err != nil {
		return nil, err
	}
	switch n.Kind {
	case yaml.MappingNode:
		g, err := p.parseGroup(n, kv.key)
		if err != nil {
			return nil, err
		}
		s.Groups = []*Group{g}
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, errAt(nodePos(n), ErrInvalid, "search identifier %s is an empty list", kv.key)
		}
		var keywords *Item
		for _, c := range n.Content {
			c, err := p.deref(c)
			if err != nil {
				return nil, err
			}
			switch c.Kind {
			case yaml.MappingNode:
				g, err := p.parseGroup(c, kv.key)
				if err != nil {
					return nil, err
				}
				s.Groups = append(s.Groups, g)
			case yaml.ScalarNode:
				v, err := scalarValue(c)
				if err != nil {
					return nil, err
				}
				// Plain values of one list form one keyword item whose
				// values are ORed, as in pySigma.
				if keywords == nil {
					keywords = &Item{Pos: nodePos(c)}
					s.Groups = append(s.Groups, &Group{Pos: nodePos(c), Items: []*Item{keywords}})
				}
				keywords.Values = append(keywords.Values, v)
			default:
				return nil, errAt(nodePos(c), ErrInvalid, "search identifier %s: list entries must be maps or values, not nested lists", kv.key)
			}
		}
	case yaml.ScalarNode:
		v, err := scalarValue(n)
		if err != nil {
			return nil, err
		}
		if v.Kind == KindNull {
			return nil, errAt(nodePos(n), ErrInvalid, "search identifier %s has no value", kv.key)
		}
		s.Groups = []*Group{{Pos: nodePos(n), Items: []*Item{{Pos: nodePos(n), Values: []Value{v}}}}}
	default:
		return nil, errAt(nodePos(n), ErrInvalid, "search identifier %s: unexpected %s", kv.key, kindName(n))
	}
	return s, nil
}

func (p *docParser) parseGroup(n *yaml.Node, ident string) (*Group, error) {
	g := &Group{Pos: nodePos(n)}
	pp, err := p.pairs(n, "search identifier "+ident)
	if err != nil {
		return nil, err
	}
	if len(pp) == 0 {
		return nil, errAt(nodePos(n), ErrInvalid, "search identifier %s is an empty map", ident)
	}
	for _, kv := range pp {
		parts := strings.Split(kv.key, "|")
		it := &Item{Pos: nodePos(kv.k), Field: parts[0]}
		for _, m := range parts[1:] {
			if m == "" {
				return nil, errAt(it.Pos, ErrInvalid, "key %q: empty modifier", kv.key)
			}
			if _, ok := modifierNames[m]; !ok {
				return nil, errAt(it.Pos, ErrInvalid, "key %q: unknown modifier %q", kv.key, m)
			}
			it.Modifiers = append(it.Modifiers, m)
		}
		v, err := p.deref(kv.v)
		if err != nil {
			return nil, err
		}
		switch v.Kind {
		case yaml.ScalarNode:
			val, err := scalarValue(v)
			if err != nil {
				return nil, err
			}
			it.Values = []Value{val}
		case yaml.SequenceNode:
			if len(v.Content) == 0 {
				return nil, errAt(nodePos(v), ErrInvalid, "key %q: empty value list", kv.key)
			}
			for _, c := range v.Content {
				c, err := p.deref(c)
				if err != nil {
					return nil, err
				}
				if c.Kind != yaml.ScalarNode {
					return nil, errAt(nodePos(c), ErrInvalid, "key %q: values must be scalars, not %s", kv.key, kindName(c))
				}
				val, err := scalarValue(c)
				if err != nil {
					return nil, err
				}
				it.Values = append(it.Values, val)
			}
		default:
			return nil, errAt(nodePos(v), ErrInvalid, "key %q: value must be a scalar or a list, not %s", kv.key, kindName(v))
		}
		g.Items = append(g.Items, it)
	}
	return g, nil
}

var correlationTypes = map[string]bool{
	"event_count": true, "value_count": true, "temporal": true, "temporal_ordered": true,
	"value_sum": true, "value_avg": true, "value_percentile": true,
}

var timespanRE = regexp.MustCompile(`^([0-9]+)([smhdwMy])$`)

func parseTimespan(s string) (time.Duration, error) {
	m := timespanRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("timespan %q: want a number and one of s, m, h, d, w, M, y", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 || n > 1<<20 {
		return 0, fmt.Errorf("timespan %q: number out of range", s)
	}
	unit := map[string]time.Duration{
		"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "M": 30 * 24 * time.Hour, "y": 365 * 24 * time.Hour,
	}[m[2]]
	return time.Duration(n) * unit, nil
}

func (p *docParser) parseCorrelation(c *Correlation, n *yaml.Node) error {
	pp, err := p.pairs(n, "correlation")
	if err != nil {
		return err
	}
	var condNode *yaml.Node
	seen := map[string]bool{}
	for _, kv := range pp {
		seen[kv.key] = true
		switch kv.key {
		case "type":
			if c.Type, err = p.str(kv.v, "correlation type"); err != nil {
				return err
			}
			if !correlationTypes[c.Type] {
				return errAt(nodePos(kv.v), ErrInvalid, "correlation type %q: must be one of event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile", c.Type)
			}
		case "rules":
			if c.Rules, err = p.strList(kv.v, "correlation rules"); err != nil {
				return err
			}
		case "group-by":
			if c.GroupBy, err = p.strList(kv.v, "correlation group-by"); err != nil {
				return err
			}
		case "timespan", "timeframe":
			if c.TimespanText, err = p.str(kv.v, "correlation timespan"); err != nil {
				return err
			}
			if c.Timespan, err = parseTimespan(c.TimespanText); err != nil {
				return errAt(nodePos(kv.v), ErrInvalid, "%v", err)
			}
		case "condition":
			condNode = kv.v
		case "generate":
			if c.Generate, err = p.boolean(kv.v, "generate"); err != nil {
				return err
			}
		case "aliases":
			if err := p.parseAliases(c, kv.v); err != nil {
				return err
			}
		default:
			p.warn(kv.k, "unknown correlation key %q ignored", kv.key)
		}
	}
	switch {
	case c.Type == "":
		return errAt(nodePos(n), ErrInvalid, "correlation has no type")
	case len(c.Rules) == 0:
		return errAt(nodePos(n), ErrInvalid, "correlation has no rules")
	case !seen["timespan"] && !seen["timeframe"]:
		return errAt(nodePos(n), ErrInvalid, "correlation has no timespan")
	}
	if condNode == nil {
		if c.Type != "temporal" && c.Type != "temporal_ordered" {
			return errAt(nodePos(n), ErrInvalid, "%s correlation has no condition", c.Type)
		}
		c.Conds = []CorrCond{{Op: "gte", Value: float64(len(c.Rules))}}
	} else if err := p.parseCorrCondition(c, condNode); err != nil {
		return err
	}
	switch c.Type {
	case "value_count", "value_sum", "value_avg", "value_percentile":
		if len(c.Field) == 0 {
			return errAt(nodePos(n), ErrInvalid, "%s correlation needs condition.field", c.Type)
		}
	}
	if c.Type == "value_percentile" && c.Percentile == 0 {
		return errAt(nodePos(n), ErrInvalid, "value_percentile correlation needs condition.percentile (1-100)")
	}
	return nil
}

func (p *docParser) parseCorrCondition(c *Correlation, n *yaml.Node) error {
	pp, err := p.pairs(n, "correlation condition")
	if err != nil {
		return err
	}
	for _, kv := range pp {
		switch kv.key {
		case "gt", "gte", "lt", "lte", "eq", "neq":
			v, err := p.deref(kv.v)
			if err != nil {
				return err
			}
			val := Value{}
			if v.Kind == yaml.ScalarNode {
				val, _ = scalarValue(v)
			}
			f, ok := val.Number()
			if !ok {
				return errAt(nodePos(kv.v), ErrInvalid, "correlation condition %s: %q is not a number", kv.key, v.Value)
			}
			c.Conds = append(c.Conds, CorrCond{Op: kv.key, Value: f})
		case "field":
			if c.Field, err = p.strList(kv.v, "correlation condition field"); err != nil {
				return err
			}
		case "percentile":
			v, err := p.deref(kv.v)
			if err != nil {
				return err
			}
			val, _ := scalarValue(v)
			f, ok := val.Number()
			if !ok || f <= 0 || f > 100 {
				return errAt(nodePos(kv.v), ErrInvalid, "correlation condition percentile %q: want a number in (0, 100]", v.Value)
			}
			c.Percentile = f
		default:
			return errAt(nodePos(kv.k), ErrInvalid, "correlation condition: unknown key %q", kv.key)
		}
	}
	if len(c.Conds) == 0 {
		return errAt(nodePos(n), ErrInvalid, "correlation condition has no operator (gt, gte, lt, lte, eq, neq)")
	}
	if len(c.Conds) > 2 {
		return errAt(nodePos(n), ErrInvalid, "correlation condition has more than two operators")
	}
	return nil
}

func (p *docParser) parseAliases(c *Correlation, n *yaml.Node) error {
	pp, err := p.pairs(n, "correlation aliases")
	if err != nil {
		return err
	}
	c.Aliases = map[string]map[string]string{}
	for _, kv := range pp {
		inner, err := p.pairs(kv.v, "alias "+kv.key)
		if err != nil {
			return err
		}
		m := map[string]string{}
		for _, r := range inner {
			f, err := p.str(r.v, "alias "+kv.key+" field")
			if err != nil {
				return err
			}
			m[r.key] = f
		}
		c.Aliases[kv.key] = m
	}
	return nil
}
