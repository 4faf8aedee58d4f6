package server

import (
	"io/fs"
	"net/http"

	"github.com/hailurah/hailurah/web"
)

// staticFS is what /static serves: the embedded web/static files.
func staticFS() http.FileSystem { return filesOnly{http.FS(web.Static())} }

// filesOnly serves the files of a file system and no directory: a
// directory would be listed, showing what is there to anyone.
type filesOnly struct{ http.FileSystem }

func (f filesOnly) Open(name string) (http.File, error) {
	file, err := f.FileSystem.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err := file.Stat(); err != nil || fi.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
