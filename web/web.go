// Package web holds the staff and citizen pages: html/template files and
// static assets, vendored and embedded in the binary so a kelurahan office
// without internet still gets every page whole.
package web

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

//go:embed static
var static embed.FS

// Templates returns the page templates.
func Templates() fs.FS { return templates }

// Static returns the static assets, rooted so "css/app.css" is a path in it.
func Static() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded at build time; cannot be missing
	}
	return sub
}
