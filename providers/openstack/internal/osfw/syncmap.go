package osfw

import "sync"

// syncMap is a small typed map for values made once per key.
type syncMap[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func (s *syncMap[K, V]) loadOrStore(k K, mk func() V) V {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[k]; ok {
		return v
	}
	if s.m == nil {
		s.m = map[K]V{}
	}
	v := mk()
	s.m[k] = v
	return v
}
