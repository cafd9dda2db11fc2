// An independent reader and writer of zipindex types 1-4, written from
// shared/specs/zipindex.md with the libraries Go's zipindex is built on:
// tinylib/msgp's Read*Bytes/Append* helpers (their integer, str and bin
// rules are the ones an index must satisfy) and klauspost/compress zstd with
// the reference's encoder and decoder options. go-interop.test.ts builds it
// in GOPATH mode against Debian's golang-github-* packages.
//
//	zicheck decode index.bin out.json   # our index, read the way Go reads it
//	zicheck encode in.json index.bin    # an index written the way Go writes it
package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/klauspost/compress/zstd"
	"github.com/tinylib/msgp/msgp"
)

type File struct {
	Name   []byte            `json:"name"`
	C      string            `json:"c"`
	U      string            `json:"u"`
	O      string            `json:"o"`
	CRC    uint32            `json:"crc"`
	Method uint16            `json:"method"`
	Flags  uint16            `json:"flags"`
	Custom map[string]string `json:"custom,omitempty"`
}

type rec struct {
	name   []byte
	c, u   uint64
	o      int64
	crc    uint32
	method uint16
	flags  uint16
	custom map[string]string
}

var enc, _ = zstd.NewWriter(nil, zstd.WithWindowSize(128<<10), zstd.WithEncoderConcurrency(2), zstd.WithEncoderLevel(zstd.SpeedBetterCompression))
var dec, _ = zstd.NewReader(nil, zstd.WithDecoderLowmem(true), zstd.WithDecoderConcurrency(2), zstd.WithDecoderMaxMemory(128<<20), zstd.WithDecoderMaxWindow(8<<20))

func readCustom(b []byte) (map[string]string, []byte, error) {
	n, b, err := msgp.ReadMapHeaderBytes(b)
	if err != nil {
		return nil, b, err
	}
	if n > 1000 {
		return nil, b, errors.New("too many custom")
	}
	m := map[string]string{}
	for i := uint32(0); i < n; i++ {
		var k, v string
		if k, b, err = msgp.ReadStringBytes(b); err != nil {
			return nil, b, err
		}
		if v, b, err = msgp.ReadStringBytes(b); err != nil {
			return nil, b, err
		}
		m[k] = v
	}
	return m, b, nil
}

func decodeArray(b []byte) ([]rec, error) {
	n, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return nil, err
	}
	if n > 100 {
		return nil, errors.New("too many files")
	}
	var out []rec
	for i := uint32(0); i < n; i++ {
		var r rec
		var k uint32
		if k, b, err = msgp.ReadArrayHeaderBytes(b); err != nil || k != 8 {
			return nil, fmt.Errorf("entry header %d %v", k, err)
		}
		var s string
		if s, b, err = msgp.ReadStringBytes(b); err != nil {
			return nil, err
		}
		r.name = []byte(s)
		if r.c, b, err = msgp.ReadUint64Bytes(b); err != nil {
			return nil, err
		}
		if r.u, b, err = msgp.ReadUint64Bytes(b); err != nil {
			return nil, err
		}
		if r.o, b, err = msgp.ReadInt64Bytes(b); err != nil {
			return nil, err
		}
		if r.crc, b, err = msgp.ReadUint32Bytes(b); err != nil {
			return nil, err
		}
		if r.method, b, err = msgp.ReadUint16Bytes(b); err != nil {
			return nil, err
		}
		if r.flags, b, err = msgp.ReadUint16Bytes(b); err != nil {
			return nil, err
		}
		if r.custom, b, err = readCustom(b); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// readColumn reads an array of exactly n values with msgp's reader for T.
func readColumn[T any](b []byte, n uint32, read func([]byte) (T, []byte, error)) ([]T, []byte, error) {
	m, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return nil, b, err
	}
	if m != n {
		return nil, b, fmt.Errorf("%d values for %d names", m, n)
	}
	out := make([]T, n)
	for i := range out {
		if out[i], b, err = read(b); err != nil {
			return nil, b, err
		}
	}
	return out, b, nil
}

func decodeStructs(b []byte) ([]rec, error) {
	k, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil || k != 8 {
		return nil, fmt.Errorf("top %d %v", k, err)
	}
	n, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil {
		return nil, err
	}
	names := make([][]byte, n)
	for i := range names {
		if names[i], b, err = msgp.ReadBytesZC(b); err != nil {
			return nil, err
		}
	}
	cols := make([][]int64, 3)
	for c := range cols {
		if cols[c], b, err = readColumn(b, n, msgp.ReadInt64Bytes); err != nil {
			return nil, fmt.Errorf("column %d: %v", 1+c, err)
		}
	}
	ucols := make([][]uint16, 2)
	for c := range ucols {
		if ucols[c], b, err = readColumn(b, n, msgp.ReadUint16Bytes); err != nil {
			return nil, fmt.Errorf("column %d: %v", 4+c, err)
		}
	}
	var crcs []byte
	if crcs, b, err = msgp.ReadBytesZC(b); err != nil {
		return nil, err
	}
	if len(crcs) != int(4*n) {
		return nil, errors.New("crc length")
	}
	m, b, err := msgp.ReadArrayHeaderBytes(b)
	if err != nil || m != n {
		return nil, fmt.Errorf("custom col %d %v", m, err)
	}
	out := make([]rec, n)
	var c uint64
	var o int64
	var meth, fl uint16
	for i := range out {
		var blob []byte
		if blob, b, err = msgp.ReadBytesZC(b); err != nil {
			return nil, err
		}
		if i == 0 {
			o = cols[2][0]
			c = uint64(cols[0][0])
		} else {
			o = cols[2][i] + o + int64(c) + 30 + int64(len(names[i-1])) + 16
			c = uint64(int64(c) + cols[0][i])
		}
		meth ^= ucols[0][i]
		fl ^= ucols[1][i]
		r := rec{name: names[i], c: c, u: uint64(int64(c) + cols[1][i]), o: o, crc: binary.LittleEndian.Uint32(crcs[4*i:]), method: meth, flags: fl}
		if len(blob) > 0 {
			if r.custom, _, err = readCustom(blob); err != nil {
				return nil, err
			}
		}
		out[i] = r
	}
	return out, nil
}

func decode(b []byte) ([]rec, error) {
	if len(b) < 1 {
		return nil, errors.New("eof")
	}
	switch b[0] {
	case 1:
		return decodeArray(b[1:])
	case 2:
		p, err := dec.DecodeAll(b[1:], nil)
		if err != nil {
			return nil, err
		}
		return decodeArray(p)
	case 3:
		p, err := dec.DecodeAll(b[1:], nil)
		if err != nil {
			return nil, err
		}
		return decodeStructs(p)
	case 4:
		var out []rec
		body := b[1:]
		for len(body) > 0 {
			n, rest, err := msgp.ReadMapHeaderBytes(body)
			if err != nil {
				return nil, err
			}
			body = rest
			var payload []byte
			for i := uint32(0); i < n; i++ {
				var key []byte
				if key, body, err = msgp.ReadMapKeyZC(body); err != nil {
					return nil, err
				}
				switch string(key) {
				case "Payload":
					if payload, body, err = msgp.ReadBytesZC(body); err != nil {
						return nil, err
					}
				case "First", "Last":
					if _, body, err = msgp.ReadStringBytes(body); err != nil {
						return nil, err
					}
				case "Files":
					if _, body, err = msgp.ReadIntBytes(body); err != nil {
						return nil, err
					}
				default:
					if body, err = msgp.Skip(body); err != nil {
						return nil, err
					}
				}
			}
			if len(payload) == 0 || payload[0] != 3 {
				return nil, errors.New("bad payload")
			}
			p, err := dec.DecodeAll(payload[1:], nil)
			if err != nil {
				return nil, err
			}
			recs, err := decodeStructs(p)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
		return out, nil
	}
	return nil, errors.New("unknown version")
}

func appendCustom(b []byte, m map[string]string) []byte {
	return msgp.AppendMapStrStr(b, m)
}

func encodeStructs(recs []rec) []byte {
	n := len(recs)
	b := msgp.AppendArrayHeader(nil, 8)
	b = msgp.AppendArrayHeader(b, uint32(n))
	for _, r := range recs {
		b = msgp.AppendBytes(b, r.name)
	}
	b = msgp.AppendArrayHeader(b, uint32(n))
	for i, r := range recs {
		if i == 0 {
			b = msgp.AppendInt64(b, int64(r.c))
		} else {
			b = msgp.AppendInt64(b, int64(r.c)-int64(recs[i-1].c))
		}
	}
	b = msgp.AppendArrayHeader(b, uint32(n))
	for _, r := range recs {
		b = msgp.AppendInt64(b, int64(r.u)-int64(r.c))
	}
	b = msgp.AppendArrayHeader(b, uint32(n))
	for i, r := range recs {
		if i == 0 {
			b = msgp.AppendInt64(b, r.o)
		} else {
			p := recs[i-1]
			b = msgp.AppendInt64(b, r.o-(p.o+int64(p.c)+46+int64(len(p.name))))
		}
	}
	b = msgp.AppendArrayHeader(b, uint32(n))
	for i, r := range recs {
		if i == 0 {
			b = msgp.AppendUint16(b, r.method)
		} else {
			b = msgp.AppendUint16(b, r.method^recs[i-1].method)
		}
	}
	b = msgp.AppendArrayHeader(b, uint32(n))
	for i, r := range recs {
		if i == 0 {
			b = msgp.AppendUint16(b, r.flags)
		} else {
			b = msgp.AppendUint16(b, r.flags^recs[i-1].flags)
		}
	}
	crcs := make([]byte, 4*n)
	for i, r := range recs {
		binary.LittleEndian.PutUint32(crcs[4*i:], r.crc)
	}
	b = msgp.AppendBytes(b, crcs)
	b = msgp.AppendArrayHeader(b, uint32(n))
	for _, r := range recs {
		if len(r.custom) > 0 {
			b = msgp.AppendBytes(b, appendCustom(nil, r.custom))
		} else {
			b = msgp.AppendBytes(b, nil)
		}
	}
	return enc.EncodeAll(b, []byte{3})
}

func encode(recs []rec) []byte {
	if len(recs) < 10 {
		b := msgp.AppendArrayHeader(nil, uint32(len(recs)))
		for _, r := range recs {
			b = msgp.AppendArrayHeader(b, 8)
			b = msgp.AppendString(b, string(r.name))
			b = msgp.AppendUint64(b, r.c)
			b = msgp.AppendUint64(b, r.u)
			b = msgp.AppendInt64(b, r.o)
			b = msgp.AppendUint32(b, r.crc)
			b = msgp.AppendUint16(b, r.method)
			b = msgp.AppendUint16(b, r.flags)
			if r.custom == nil {
				r.custom = map[string]string{}
			}
			b = appendCustom(b, r.custom)
		}
		if len(b) < 200 {
			return append([]byte{1}, b...)
		}
		return enc.EncodeAll(b, []byte{2})
	}
	if len(recs) < 25000 {
		return encodeStructs(recs)
	}
	sort.SliceStable(recs, func(i, j int) bool {
		if string(recs[i].name) != string(recs[j].name) {
			return string(recs[i].name) < string(recs[j].name)
		}
		return recs[i].o < recs[j].o
	})
	out := []byte{4}
	left := recs
	for len(left) > 0 {
		todo := left
		if len(left) > 25000 && len(left) < 50000 {
			todo = left[:len(left)/2]
		} else if len(left) > 25000 {
			todo = left[:25000]
		}
		first, last := string(todo[0].name), string(todo[len(todo)-1].name)
		chunk := append([]rec(nil), todo...)
		sort.SliceStable(chunk, func(i, j int) bool { return chunk[i].o < chunk[j].o })
		payload := encodeStructs(chunk)
		out = msgp.AppendMapHeader(out, 4)
		out = msgp.AppendString(out, "Files")
		out = msgp.AppendInt(out, len(todo))
		out = msgp.AppendString(out, "First")
		out = msgp.AppendString(out, first)
		out = msgp.AppendString(out, "Last")
		out = msgp.AppendString(out, last)
		out = msgp.AppendString(out, "Payload")
		out = msgp.AppendBytes(out, payload)
		left = left[len(todo):]
	}
	return out
}

func toJSON(recs []rec) []File {
	out := make([]File, len(recs))
	for i, r := range recs {
		out[i] = File{Name: r.name, C: strconv.FormatUint(r.c, 10), U: strconv.FormatUint(r.u, 10), O: strconv.FormatInt(r.o, 10), CRC: r.crc, Method: r.method, Flags: r.flags, Custom: r.custom}
		if len(out[i].Custom) == 0 {
			out[i].Custom = nil
		}
	}
	return out
}

func fromJSON(files []File) []rec {
	out := make([]rec, len(files))
	for i, f := range files {
		c, _ := strconv.ParseUint(f.C, 10, 64)
		u, _ := strconv.ParseUint(f.U, 10, 64)
		o, _ := strconv.ParseInt(f.O, 10, 64)
		out[i] = rec{name: f.Name, c: c, u: u, o: o, crc: f.CRC, method: f.Method, flags: f.Flags, custom: f.Custom}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "zicheck:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 4 {
		fail(errors.New("usage: zicheck decode|encode in out"))
	}
	in, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	var out []byte
	switch os.Args[1] {
	case "decode":
		recs, err := decode(in)
		if err != nil {
			fail(err)
		}
		if out, err = json.Marshal(toJSON(recs)); err != nil {
			fail(err)
		}
	case "encode":
		var files []File
		if err := json.Unmarshal(in, &files); err != nil {
			fail(err)
		}
		out = encode(fromJSON(files))
	default:
		fail(errors.New("unknown command " + os.Args[1]))
	}
	if err := os.WriteFile(os.Args[3], out, 0o644); err != nil {
		fail(err)
	}
}
