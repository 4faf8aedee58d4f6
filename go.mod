module github.com/hailurah/hailurah

go 1.26.8
