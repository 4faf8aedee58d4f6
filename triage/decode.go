package triage

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

var durationType = reflect.TypeOf(time.Duration(0))

// decodeNode decodes a YAML node into v, which must be a pointer. Unlike
// yaml.Node.Decode it names the key path of every error
// ("sla.moderator.default: invalid duration \"abc\""), so an operator can
// find the line of the override that stopped start-up.
func decodeNode(path string, n *yaml.Node, v any) error {
	return decodeValue(path, n, reflect.ValueOf(v).Elem())
}

func decodeValue(path string, n *yaml.Node, v reflect.Value) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	where := path
	if where == "" {
		where = "(top level)"
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: expected a duration such as 24h", where)
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			return fmt.Errorf("%s: invalid duration %q", where, n.Value)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(path, n, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: expected a mapping of keys", where)
		}
		fields := structFields(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			idx, ok := fields[key]
			if !ok {
				return fmt.Errorf("%s: unknown key", join(path, key))
			}
			if err := decodeValue(join(path, key), n.Content[i+1], v.Field(idx)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: expected a mapping of keys", where)
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			keyText := n.Content[i].Value
			key := reflect.New(v.Type().Key()).Elem()
			if err := decodeScalar(join(path, keyText), keyText, key, "key"); err != nil {
				return err
			}
			val := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(join(path, keyText), n.Content[i+1], val); err != nil {
				return err
			}
			m.SetMapIndex(key, val)
		}
		v.Set(m)
		return nil
	case reflect.Slice:
		if n.Tag == "!!null" {
			v.SetZero()
			return nil
		}
		if n.Kind != yaml.SequenceNode {
			return fmt.Errorf("%s: expected a list", where)
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeValue(fmt.Sprintf("%s[%d]", path, i), item, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("%s: expected a single value", where)
	}
	if n.Tag == "!!null" {
		v.SetZero()
		return nil
	}
	return decodeScalar(where, n.Value, v, "value")
}

func decodeScalar(path, text string, v reflect.Value, what string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: invalid integer %s %q", path, what, text)
		}
		v.SetInt(i)
	case reflect.Float64, reflect.Float32:
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return fmt.Errorf("%s: invalid number %s %q", path, what, text)
		}
		v.SetFloat(f)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s: invalid boolean %s %q", path, what, text)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("%s: unsupported type %s", path, v.Type())
	}
	return nil
}

// structFields maps yaml key names (the yaml tag, else the json tag, else the
// lower-case field name) to field indexes.
func structFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := strings.ToLower(f.Name)
		for _, tag := range []string{f.Tag.Get("yaml"), f.Tag.Get("json")} {
			if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
				name = n
				break
			}
		}
		fields[name] = i
	}
	return fields
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
