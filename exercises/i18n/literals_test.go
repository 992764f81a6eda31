package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The kit's texts are typed values (i18n.Text literals, most of them in
// package-level variables), so the compiler checks that every text used
// exists. What it cannot check is checked here, once for the whole module,
// from the source: every literal has both languages with the same fmt
// verbs, and every F call on a package-level text passes as many arguments
// as the text has verbs.

// importPath is this package's import path, by which files name it.
const importPath = "maillab/exercises/i18n"

// packageTexts returns the texts of a package's package-level variables:
// name (or name.Field of a package-level struct of texts) → its literal;
// and the package-level declarations, to tell a local variable from them.
// inI18n says the files are this package's own, where the type is spelled
// Text rather than i18n.Text.
func packageTexts(files []*ast.File, inI18n bool) (vars map[string]*ast.CompositeLit, top map[any]bool) {
	vars, top = map[string]*ast.CompositeLit{}, map[any]bool{}
	for _, f := range files {
		name := localName(f, inI18n)
		if name == "" && !inI18n {
			continue
		}
		isText := func(e ast.Expr) bool { return isTextType(e, name, inI18n) }
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				top[vs] = true
				for i, v := range vs.Values {
					if i >= len(vs.Names) {
						break
					}
					cl, ok := v.(*ast.CompositeLit)
					if !ok {
						continue
					}
					if isText(cl.Type) {
						vars[vs.Names[i].Name] = cl
						continue
					}
					if st, ok := cl.Type.(*ast.StructType); ok && structOfTexts(st, isText) {
						for _, e := range cl.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok {
									if tl, ok := kv.Value.(*ast.CompositeLit); ok {
										vars[vs.Names[i].Name+"."+k.Name] = tl
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return vars, top
}

// lintPackage returns the problems of the texts of one package's files, as
// "file:line: problem". inI18n is as for packageTexts; imported are the
// exported texts of the module's other packages, by import path and name
// ("maillab/exercises/explain.DiagBcc"). found counts the text literals
// and the calls checked, so that a test can tell that it looked at
// something.
func lintPackage(fset *token.FileSet, files []*ast.File, inI18n bool, imported map[string]*ast.CompositeLit) (problems []string, found struct{ literals, calls int }) {
	report := func(p token.Pos, format string, args ...any) {
		pos := fset.Position(p)
		problems = append(problems, fmt.Sprintf("%s:%d: %s", filepath.Base(pos.Filename), pos.Line, fmt.Sprintf(format, args...)))
	}
	vars, top := packageTexts(files, inI18n)
	for _, f := range files {
		name := localName(f, inI18n)
		if name == "" && !inI18n {
			continue
		}
		isText := func(e ast.Expr) bool { return isTextType(e, name, inI18n) }
		// lines marked "not a sentence" (a label, a legend of marks): their
		// texts need no です/ます
		labels := map[int]bool{}
		for _, cg := range f.Comments {
			if strings.Contains(cg.Text(), "not a sentence") {
				labels[fset.Position(cg.End()).Line] = true
			}
		}
		lintLiteral := func(cl *ast.CompositeLit) []string {
			line := fset.Position(cl.Pos()).Line
			return lintText(cl, labels[line] || labels[line-1])
		}
		// every literal: one of the type, or an element of a map, slice
		// or array of the type, with the type elided
		ast.Inspect(f, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if isText(cl.Type) {
				found.literals++
				for _, p := range lintLiteral(cl) {
					report(cl.Pos(), "%s", p)
				}
				return true
			}
			var elem ast.Expr
			switch t := cl.Type.(type) {
			case *ast.MapType:
				elem = t.Value
			case *ast.ArrayType:
				elem = t.Elt
			}
			if elem == nil || !isText(elem) {
				return true
			}
			for _, e := range cl.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					e = kv.Value
				}
				if el, ok := e.(*ast.CompositeLit); ok && el.Type == nil {
					found.literals++
					for _, p := range lintLiteral(el) {
						report(el.Pos(), "%s", p)
					}
				}
			}
			return true
		})
	}
	// every call of F or In on a package-level text
	for _, f := range files {
		imports := importNames(f)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "F" && sel.Sel.Name != "In") {
				return true
			}
			name := packageLevel(sel.X, top)
			cl, ok := vars[name]
			if x, isSel := sel.X.(*ast.SelectorExpr); !ok && isSel {
				// pkg.Name, a text of another package
				if pkg, isIdent := x.X.(*ast.Ident); isIdent && pkg.Obj == nil && imports[pkg.Name] != "" {
					cl, ok = imported[imports[pkg.Name]+"."+x.Sel.Name]
				}
			}
			if !ok {
				return true
			}
			t, ok := constText(cl)
			if !ok {
				return true
			}
			found.calls++
			nv, counted := countVerbs(t.Ja)
			switch {
			case sel.Sel.Name == "In" && strings.Contains(t.Ja+t.En, "%"):
				report(call.Pos(), "%s.In: the text has fmt verbs (or %%%%), which In does not format; use F", name)
			case sel.Sel.Name == "F" && counted && !call.Ellipsis.IsValid() && len(call.Args) > 0 && len(call.Args)-1 != nv:
				report(call.Pos(), "%s.F: %d arguments for %d verbs", name, len(call.Args)-1, nv)
			}
			return true
		})
	}
	return problems, found
}

// importNames maps the names by which f refers to the packages it
// imports to their paths (a path's last element when the import does not
// name it; the module's packages are all named so).
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndexByte(p, '/')+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		names[name] = p
	}
	return names
}

// localName is the name by which f refers to this package, or "".
func localName(f *ast.File, inI18n bool) string {
	if inI18n {
		return ""
	}
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == importPath {
			if im.Name != nil {
				return im.Name.Name
			}
			return "i18n"
		}
	}
	return ""
}

// isTextType reports whether e names the type Text.
func isTextType(e ast.Expr, name string, inI18n bool) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return inI18n && e.Name == "Text"
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && name != "" && x.Name == name && e.Sel.Name == "Text"
	}
	return false
}

// structOfTexts reports whether every field of st is a text.
func structOfTexts(st *ast.StructType, isText func(ast.Expr) bool) bool {
	for _, f := range st.Fields.List {
		if !isText(f.Type) {
			return false
		}
	}
	return len(st.Fields.List) > 0
}

// packageLevel names the package-level text that e denotes (x, or x.Field)
// or returns "" when e is something else, such as a local variable.
// The parser resolves the names of one file: a name of another file's
// declaration stays unresolved, and only package-level names can be that.
func packageLevel(e ast.Expr, top map[any]bool) string {
	isTop := func(id *ast.Ident) bool { return id.Obj == nil || top[id.Obj.Decl] }
	switch e := e.(type) {
	case *ast.Ident:
		if !isTop(e) {
			return ""
		}
		return e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && isTop(x) {
			return x.Name + "." + e.Sel.Name
		}
	}
	return ""
}

// lintText returns what is wrong with one text literal; a label is not
// held to です/ます.
func lintText(cl *ast.CompositeLit, label bool) []string {
	fields := map[string]ast.Expr{}
	for i, e := range cl.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok {
				fields[k.Name] = kv.Value
			}
			continue
		}
		fields[[]string{"Ja", "En"}[min(i, 1)]] = e
	}
	var bad []string
	texts := map[string]string{}
	for _, lang := range []string{"Ja", "En"} {
		e, ok := fields[lang]
		if !ok {
			bad = append(bad, "no "+lang)
			continue
		}
		s, ok := constString(e)
		if !ok {
			continue // computed: the compiler checked its type
		}
		if strings.TrimSpace(s) == "" {
			bad = append(bad, "blank "+lang)
		}
		texts[lang] = s
	}
	ja, okJa := texts["Ja"]
	en, okEn := texts["En"]
	if okJa && okEn && !slices.Equal(verbs(ja), verbs(en)) {
		bad = append(bad, fmt.Sprintf("verbs differ: Ja %v, En %v", verbs(ja), verbs(en)))
	}
	for _, sentence := range plainSentences(ja) {
		if !label {
			bad = append(bad, fmt.Sprintf("Ja ends a sentence in the plain form, not です/ます: %q", sentence))
		}
	}
	return bad
}

// The one register of the kit's Japanese: a sentence that ends in the
// plain form (する, 見る, 送った, だ, ない, 無い, よい …) rather than in
// です/ます. What is in parentheses and a noun phrase do not count; a
// label or a legend of marks is marked "not a sentence" in a comment on
// its line or the line before.
var (
	plainEnding  = regexp.MustCompile(`(する|す|る|た|だ|ない|無い|よい|う|く|つ|む)$`)
	politeEnding = regexp.MustCompile(`(ます|です|ません|ました|でした|ましょう)$`)
	parenthesis  = regexp.MustCompile(`（[^（）]*）`)
	sentenceEnd  = regexp.MustCompile(`[。\n]`)
)

// plainSentences are the sentences of ja that end in the plain form;
// what is in parentheses is left out (a note, often a noun phrase).
func plainSentences(ja string) []string {
	for parenthesis.MatchString(ja) {
		ja = parenthesis.ReplaceAllString(ja, "")
	}
	var bad []string
	for _, sentence := range sentenceEnd.Split(ja, -1) {
		s := strings.TrimRight(strings.TrimSpace(sentence), ")」 ")
		if plainEnding.MatchString(s) && !politeEnding.MatchString(s) {
			bad = append(bad, sentence)
		}
	}
	return bad
}

// constText returns the text of a literal whose two languages are
// constant strings.
func constText(cl *ast.CompositeLit) (Text, bool) {
	var t Text
	for i, e := range cl.Elts {
		lang := []string{"Ja", "En"}[min(i, 1)]
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			k, _ := kv.Key.(*ast.Ident)
			if k == nil {
				return t, false
			}
			lang, e = k.Name, kv.Value
		}
		s, ok := constString(e)
		if !ok {
			return t, false
		}
		if lang == "Ja" {
			t.Ja = s
		} else {
			t.En = s
		}
	}
	return t, true
}

// constString evaluates a string literal, or a sum of them.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return constString(e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok1 := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, ok1 && ok2
	}
	return "", false
}

// countVerbs counts the verbs of s that take an argument; counted is false
// when an explicit argument index or a * width makes the count unsure.
func countVerbs(s string) (n int, counted bool) {
	for _, v := range verbs(s) {
		if strings.ContainsAny(v, "[*") {
			return 0, false
		}
		if v != "%%" {
			n++
		}
	}
	return n, true
}

// parsePackage parses the named sources of one package.
func parsePackage(t *testing.T, fset *token.FileSet, sources map[string]string) []*ast.File {
	t.Helper()
	var files []*ast.File
	for name, src := range sources {
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// moduleRoot returns the directory of go.mod above the working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// modulePath reads the module's path from go.mod in root.
func modulePath(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(p), `"`)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// TestModuleTexts checks every text of the module's (non-test) sources.
func TestModuleTexts(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	packages := map[string]map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		if packages[dir] == nil {
			packages[dir] = map[string]string{}
		}
		packages[dir][path] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	module := modulePath(t, root)
	fset := token.NewFileSet()
	parsed := map[string][]*ast.File{}
	exported := map[string]*ast.CompositeLit{}
	for dir, sources := range packages {
		parsed[dir] = parsePackage(t, fset, sources)
		vars, _ := packageTexts(parsed[dir], dir == filepath.FromSlash("exercises/i18n"))
		for name, cl := range vars {
			if ast.IsExported(name) {
				exported[path.Join(module, filepath.ToSlash(dir))+"."+name] = cl
			}
		}
	}
	literals, calls := 0, 0
	for dir, files := range parsed {
		problems, found := lintPackage(fset, files, dir == filepath.FromSlash("exercises/i18n"), exported)
		for _, p := range problems {
			t.Errorf("%s/%s", dir, p)
		}
		literals += found.literals
		calls += found.calls
	}
	// The kit has hundreds of texts; far fewer means that the parsing
	// above missed them, not that they are gone.
	if literals < 500 || calls < 300 {
		t.Errorf("checked %d text literals and %d calls: too few, the check does not see the texts", literals, calls)
	}
	t.Logf("checked %d text literals and %d calls of F and In", literals, calls)
}

// TestLintPackage shows what the module's check finds, on small packages.
func TestLintPackage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		src   string
		other string // package maillab/other's source, when src uses it
		want  []string
	}{
		{
			name: "good",
			src: `var txtHello = i18n.Text{Ja: "%d 通", En: "%d messages"}
var txtBye = i18n.Text{Ja: "さようなら", En: "bye"}
func f(l i18n.Lang) string { return txtHello.F(l, 3) + txtBye.In(l) }`,
		},
		{
			name: "no En",
			src:  `var txtHello = i18n.Text{Ja: "こんにちは"}`,
			want: []string{"a.go:3: no En"},
		},
		{
			name: "blank Ja",
			src:  `var txtHello = i18n.Text{Ja: " ", En: "hello"}`,
			want: []string{"a.go:3: blank Ja"},
		},
		{
			name: "plain form",
			src:  `var txtSent = i18n.Text{Ja: "送りました。届いた（たぶん）。", En: "Sent. It arrived (probably)."}`,
			want: []string{`a.go:3: Ja ends a sentence in the plain form, not です/ます: "届いた"`},
		},
		{
			name: "polite form, a plain one in parentheses, a noun phrase",
			src:  `var txtSent = i18n.Text{Ja: "送りました（1 通。返事はまだない）。宛先の一覧", En: "Sent (one; no answer yet). The recipients"}`,
		},
		{
			name: "a label, marked",
			src: `var txtDone = i18n.Text{Ja: "できた", En: "passed"} // a label, not a sentence
// marks, not a sentence
var txtLegend = i18n.Text{Ja: "✓ できた ✗ まだ", En: "✓ passed ✗ not yet"}`,
		},
		{
			name: "verbs differ",
			src:  `var txtHello = i18n.Text{Ja: "%s と %d", En: "%s and %s"}`,
			want: []string{"a.go:3: verbs differ: Ja [%s %d], En [%s %s]"},
		},
		{
			name: "verbs in another order",
			src:  `var txtHello = i18n.Text{Ja: "%d の %s", En: "%s of %d"}`,
			want: []string{"a.go:3: verbs differ: Ja [%d %s], En [%s %d]"},
		},
		{
			name: "map value with the type elided",
			src: `var m = map[string]i18n.Text{
	"a": {Ja: "あ", En: "a"},
	"b": {Ja: "い"},
}`,
			want: []string{"a.go:5: no En"},
		},
		{
			name: "too few arguments",
			src: `var txtHello = i18n.Text{Ja: "%s の %d 通", En: "%d messages of %s"}
func f(l i18n.Lang) string { return txtHello.F(l, 3) }`,
			want: []string{"a.go:3: verbs differ: Ja [%s %d], En [%d %s]", "a.go:4: txtHello.F: 1 arguments for 2 verbs"},
		},
		{
			name: "too many arguments",
			src: `var txtHello = i18n.Text{Ja: "%d 通", En: "%d messages"}
func f(l i18n.Lang) string { return txtHello.F(l, 3, 4) }`,
			want: []string{"a.go:4: txtHello.F: 2 arguments for 1 verbs"},
		},
		{
			name: "percent sign and width",
			src: `var txtHello = i18n.Text{Ja: "%-8s| 100%%", En: "%-8s| 100%%"}
func f(l i18n.Lang) string { return txtHello.F(l, "x") }`,
		},
		{
			name: "In on a text with verbs",
			src: `var txtHello = i18n.Text{Ja: "%d 通", En: "%d messages"}
func f(l i18n.Lang) string { return txtHello.In(l) }`,
			want: []string{"a.go:4: txtHello.In: the text has fmt verbs (or %%), which In does not format; use F"},
		},
		{
			name: "a struct of texts",
			src: `var txt = struct{ Hello, Bye i18n.Text }{
	Hello: i18n.Text{Ja: "%d 通", En: "%d messages"},
	Bye:   i18n.Text{Ja: "さようなら"},
}
func f(l i18n.Lang) string { return txt.Hello.F(l) }`,
			want: []string{"a.go:5: no En", "a.go:7: txt.Hello.F: 0 arguments for 1 verbs"},
		},
		{
			name: "a local variable is not the package's",
			src: `var txtHello = i18n.Text{Ja: "%d 通", En: "%d messages"}
func f(l i18n.Lang) string { txtHello := i18n.Text{Ja: "%s", En: "%s"}; return txtHello.F(l, "x") }`,
		},
		{
			name:  "another package's text",
			other: `var Hello = i18n.Text{Ja: "%d 通", En: "%d messages"}`,
			src: `import "maillab/other"` + "\n" + `import "maillab/exercises/i18n"
func f(l i18n.Lang) string { return other.Hello.F(l, 1) + other.Hello.F(l) }`,
			want: []string{"a.go:4: other.Hello.F: 0 arguments for 1 verbs"},
		},
		{
			name: "computed languages",
			src:  `func f(s string) i18n.Text { return i18n.Text{Ja: s + "。", En: s + "."} }`,
		},
		{
			name: "other package's name",
			src:  `import other "maillab/exercises/i18n"` + "\n" + `var txtHello = other.Text{En: "hello"}`,
			want: []string{"a.go:3: no Ja"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "package p\n"
			if !strings.HasPrefix(tt.src, "import") {
				src += `import "maillab/exercises/i18n"` + "\n"
			}
			src += tt.src + "\n"
			fset := token.NewFileSet()
			imported := map[string]*ast.CompositeLit{}
			if tt.other != "" {
				other := parsePackage(t, fset, map[string]string{"other.go": "package other\nimport \"maillab/exercises/i18n\"\n" + tt.other})
				vars, _ := packageTexts(other, false)
				for name, cl := range vars {
					imported["maillab/other."+name] = cl
				}
			}
			files := parsePackage(t, fset, map[string]string{"a.go": src})
			got, _ := lintPackage(fset, files, false, imported)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
