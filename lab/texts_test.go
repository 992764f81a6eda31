package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every text key the code asks a catalog for exists in one of the
// package's catalogs (map[string]i18n.Text literals). A missing key would
// print an empty line to a student; this finds it first.
func TestEveryTextKeyUsedExists(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	var parsed []*ast.File
	known := map[string]bool{}
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, file)
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			if m, ok := lit.Type.(*ast.MapType); !ok || !strings.HasSuffix(exprString(m.Value), "i18n.Text") {
				return true
			}
			for _, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(k.Value)
						known[s] = true
					}
				}
			}
			return true
		})
	}
	var missing []string
	for _, file := range parsed {
		ast.Inspect(file, func(n ast.Node) bool {
			var key ast.Expr
			switch x := n.(type) {
			case *ast.IndexExpr: // texts["key"], guideTexts["key"] …
				if id, ok := x.X.(*ast.Ident); ok && strings.HasSuffix(strings.ToLower(id.Name), "texts") {
					key = x.Index
				}
			case *ast.CallExpr: // t("key", …) and tt("key", …), the local shorthands; gt(e, "key", …)
				if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "t" || id.Name == "tt") && len(x.Args) > 0 {
					key = x.Args[0]
				}
				if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "gt" && len(x.Args) > 1 {
					key = x.Args[1]
				}
			}
			if lit, ok := key.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				k, _ := strconv.Unquote(lit.Value)
				if !known[k] {
					missing = append(missing, fset.Position(lit.Pos()).String()+": "+k)
				}
			}
			return true
		})
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("text key not in any catalog: %s", m)
	}
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	}
	return ""
}
