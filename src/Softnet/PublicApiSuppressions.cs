using System.Diagnostics.CodeAnalysis;

// A busy poller is made for a whole device or for one NAPI, its options optional either way. The two constructors
// differ in their first parameter, so no call is ambiguous between them, which is what RS0026 guards against.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Scope = "member", Target = "~M:Softnet.Core.BusyPoller.#ctor(Softnet.Core.NetDevice,Softnet.Core.BusyPollOptions)", Justification = "Different first parameters: no ambiguous call")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Scope = "member", Target = "~M:Softnet.Core.BusyPoller.#ctor(Softnet.Core.NetStack,System.Int32,Softnet.Core.BusyPollOptions)", Justification = "Different first parameters: no ambiguous call")]
