package hailurah

import "time"

// shortMonths are the months as the pages and charts abbreviate them.
var shortMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"}

// ShortMonth is m as Indonesian dates abbreviate it: "Jan", "Agu", "Des".
func ShortMonth(m time.Month) string { return shortMonths[m-1] }
