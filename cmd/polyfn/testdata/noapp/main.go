// Command noapp is a main package that never builds a polyfn App.
package main

import "fmt"

func main() { fmt.Println("no app here") }
