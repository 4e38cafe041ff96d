package sigma

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// The oracle is a deliberately naive second implementation of Sigma
// matching, used to check the column engine: it walks the parsed rule
// (not the compiled plan) over one record given as a map, turns every
// value into an anchored regular expression on its own, and shares only
// the alias tables (configuration, not logic) with the engine. It covers
// the modifiers SigmaHQ network rules use plus cased, exists, neq and the
// numeric comparisons; anything else reports errOracle.

var errOracle = errors.New("oracle: construct not covered")

func oracleMatch(r *Rule, cfg Config, rec map[string]any) (bool, error) {
	rt, err := routeLogsource(r.Logsource, cfg)
	if err != nil {
		return false, err
	}
	var names []string
	for _, s := range r.Detection.Searches {
		names = append(names, s.Name)
	}
	matched := false
	for _, c := range r.Detection.Conditions {
		if c.Agg != nil {
			return false, errOracle
		}
		v, ok, err := oracleExpr(c.Expr, r, rt, cfg, rec, names)
		if err != nil {
			return false, err
		}
		if ok && v {
			matched = true
		}
	}
	if matched && rt.scope == "rdp" {
		svc, _ := rec["service"].(string)
		proto, _ := rec["proto"].(string)
		port := fmt.Sprint(rec["resp_p"])
		matched = strings.Contains(strings.ToLower(svc), "rdp") || strings.EqualFold(proto, "tcp") && port == "3389"
	}
	return matched, nil
}

// oracleExpr returns (value, present); present is false for an operand
// pySigma drops (a selector that matches no identifier).
func oracleExpr(e Expr, r *Rule, rt route, cfg Config, rec map[string]any, names []string) (bool, bool, error) {
	switch e := e.(type) {
	case *IdentExpr:
		s := r.Detection.Search(e.Name)
		if s == nil {
			return false, false, fmt.Errorf("undefined %s", e.Name)
		}
		v, err := oracleSearch(s, rt, cfg, rec)
		return v, true, err
	case *SelectorExpr:
		pat := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(e.Pattern), `\*`, ".*") + "$")
		var vals []bool
		for _, n := range names {
			if strings.HasPrefix(n, "_") && !strings.HasPrefix(e.Pattern, "_") {
				continue
			}
			if e.Pattern != "them" && !pat.MatchString(n) {
				continue
			}
			v, err := oracleSearch(r.Detection.Search(n), rt, cfg, rec)
			if err != nil {
				return false, false, err
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return false, false, nil
		}
		every, some := true, false
		for _, v := range vals {
			every, some = every && v, some || v
		}
		if e.Quantifier == "all" {
			return every, true, nil
		}
		return some, true, nil
	case *NotExpr:
		v, ok, err := oracleExpr(e.X, r, rt, cfg, rec, names)
		return !v, ok, err
	case *AndExpr, *OrExpr:
		var xs []Expr
		isAnd := false
		if a, ok := e.(*AndExpr); ok {
			xs, isAnd = a.X, true
		} else {
			xs = e.(*OrExpr).X
		}
		res, seen := isAnd, false
		for _, x := range xs {
			v, ok, err := oracleExpr(x, r, rt, cfg, rec, names)
			if err != nil {
				return false, false, err
			}
			if !ok {
				continue
			}
			seen = true
			if isAnd {
				res = res && v
			} else {
				res = res || v
			}
		}
		return res, seen, nil
	}
	return false, false, errOracle
}

func oracleSearch(s *Search, rt route, cfg Config, rec map[string]any) (bool, error) {
	for _, g := range s.Groups {
		ok := true
		for _, it := range g.Items {
			v, err := oracleItem(it, rt, cfg, rec)
			if err != nil {
				return false, err
			}
			if !v {
				ok = false
				break
			}
		}
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// oracleValues returns a field's values as text (nil slice and false for
// null) for every column the field names.
func oracleValues(field string, rt route, cfg Config, rec map[string]any) ([][]string, []bool, error) {
	var targets []string
	if field == "" {
		targets = []string{keywordColumn[rt.rt]}
	} else {
		t, drop, err := fieldTargets(rt, field, cfg)
		if err != nil || drop {
			return nil, nil, errOracle
		}
		targets = t
	}
	var vals [][]string
	var present []bool
	for _, t := range targets {
		v, ok := oracleColumn(t, rec)
		vals = append(vals, v)
		present = append(present, ok)
	}
	return vals, present, nil
}

func oracleText(v any) string {
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

func oracleColumn(name string, rec map[string]any) ([]string, bool) {
	get := func(n string) (string, bool) {
		v, ok := rec[n]
		if !ok || v == nil {
			return "", false
		}
		return oracleText(v), true
	}
	switch name {
	case "$uri_path", "$uri_query", "$uri_ext", "$abs_uri":
		u, ok := get("uri")
		if !ok {
			return nil, false
		}
		path := u
		if i := strings.Index(path, "://"); i > 0 && regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`).MatchString(path[:i]) {
			rest := path[i+3:]
			j := strings.IndexAny(rest, "/?")
			if j < 0 {
				rest = ""
			} else {
				rest = rest[j:]
			}
			path = rest
		}
		path, query, hasQ := strings.Cut(path, "?")
		_, rawQ, rawHasQ := strings.Cut(u, "?")
		switch name {
		case "$uri_path":
			return []string{path}, true
		case "$uri_query":
			_ = query
			_ = hasQ
			if !rawHasQ {
				return nil, false
			}
			return []string{rawQ}, true
		case "$uri_ext":
			seg := path[strings.LastIndex(path, "/")+1:]
			dot := strings.LastIndex(seg, ".")
			if dot < 0 || dot == len(seg)-1 {
				return nil, false
			}
			return []string{seg[dot+1:]}, true
		default:
			if h, ok := get("host"); ok && strings.HasPrefix(u, "/") {
				return []string{"http://" + h + u}, true
			}
			return []string{u}, true
		}
	case "$action", "$blocked":
		cs, _ := get("conn_state")
		verdict := map[string]string{"SF": "a", "S1": "a", "S2": "a", "S3": "a", "RSTO": "a", "RSTR": "a", "REJ": "r", "S0": "d", "RSTOS0": "d", "SH": "d"}[cs]
		if verdict == "" {
			return nil, false
		}
		if name == "$blocked" {
			return []string{strconv.FormatBool(verdict != "a")}, true
		}
		return map[string][]string{
			"a": {"accept", "accepted", "allow", "allowed", "forward", "pass", "permit"},
			"r": {"reject", "rejected", "deny", "denied", "block", "blocked"},
			"d": {"drop", "dropped", "deny", "denied", "block", "blocked"},
		}[verdict], true
	case "$true":
		return []string{"true"}, true
	}
	v, ok := rec[name]
	if !ok || v == nil {
		return nil, false
	}
	if list, isList := v.([]any); isList {
		out := make([]string, 0, len(list))
		for _, x := range list {
			out = append(out, oracleText(x))
		}
		return out, true
	}
	return []string{oracleText(v)}, true
}

// oracleRegexp turns a Sigma string into an anchored expression, scanning
// escapes character by character.
func oracleRegexp(s string, contains, prefix, suffix, cased bool) *regexp.Regexp {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs) && (rs[i+1] == '*' || rs[i+1] == '?' || rs[i+1] == '\\'):
			b.WriteString(regexp.QuoteMeta(string(rs[i+1])))
			i++
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	body := b.String()
	if contains || suffix {
		body = ".*" + body
	}
	if contains || prefix {
		body += ".*"
	}
	flags := "(?s)"
	if !cased {
		flags = "(?si)"
	}
	return regexp.MustCompile(flags + "^(?:" + body + ")$")
}

func oracleItem(it *Item, rt route, cfg Config, rec map[string]any) (bool, error) {
	mods := map[string]bool{}
	for _, m := range it.Modifiers {
		mods[modifierNames[m]] = true
	}
	for m := range mods {
		switch m {
		case "contains", "startswith", "endswith", "all", "re", "i", "cidr", "cased", "exists", "neq", "gt", "gte", "lt", "lte":
		default:
			return false, errOracle
		}
	}
	cols, present, err := oracleValues(it.Field, rt, cfg, rec)
	if err != nil {
		return false, err
	}
	// One-to-many fields: the whole item on each column, ORed.
	res := false
	for ci, vals := range cols {
		colRes := mods["all"]
		for _, v := range it.Values {
			ok, err := oracleOne(it, mods, v, vals, present[ci])
			if err != nil {
				return false, err
			}
			if mods["all"] {
				colRes = colRes && ok
			} else {
				colRes = colRes || ok
			}
		}
		res = res || colRes
	}
	if mods["neq"] {
		res = !res
	}
	return res, nil
}

func oracleOne(it *Item, mods map[string]bool, v Value, vals []string, present bool) (bool, error) {
	if mods["exists"] {
		want, _ := boolOf(v)
		return present == want, nil
	}
	if v.Kind == KindNull {
		return !present, nil
	}
	if !present {
		return false, nil
	}
	for _, x := range vals {
		switch {
		case mods["re"]:
			src := v.Raw
			if mods["i"] {
				src = "(?i)" + src
			}
			if regexp.MustCompile(src).MatchString(x) {
				return true, nil
			}
		case mods["cidr"]:
			p, err := netip.ParsePrefix(v.Raw)
			if err != nil {
				a, err2 := netip.ParseAddr(v.Raw)
				if err2 != nil {
					return false, err
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			if a, err := netip.ParseAddr(x); err == nil && p.Contains(a.Unmap()) {
				return true, nil
			}
		case mods["gt"] || mods["gte"] || mods["lt"] || mods["lte"]:
			n, _ := v.Number()
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				continue
			}
			if mods["gt"] && f > n || mods["gte"] && f >= n || mods["lt"] && f < n || mods["lte"] && f <= n {
				return true, nil
			}
		default:
			text := v.Raw
			if v.Kind != KindString {
				text = v.Text()
			}
			keyword := it.Field == ""
			if v.Kind != KindString {
				// numbers and booleans have no wildcards
				text = regexp.MustCompile(`[\\*?]`).ReplaceAllString(text, `\$0`)
			}
			re := oracleRegexp(text, mods["contains"] || keyword, mods["startswith"], mods["endswith"], mods["cased"])
			if re.MatchString(x) {
				return true, nil
			}
		}
	}
	return false, nil
}
