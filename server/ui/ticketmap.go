package ui

// mapView is what the "peta" template needs: where the map's data comes
// from, the tile URL template ("" draws the grid only), points or cells.
type mapView struct {
	Src, Tiles, Kind, Label string
}

// mapView is the map of a dashboard page; no map service gives no map
// (Src ""), and the grid beside it stands alone.
func (s *UI) mapView(src, kind, label string) mapView {
	if s.Pilots == nil || s.Pilots.Map == nil {
		return mapView{}
	}
	return mapView{Src: src, Tiles: s.MapTiles, Kind: kind, Label: label}
}
