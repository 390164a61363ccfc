//! The syntax tree of one signature declaration, as the grammar reads it,
//! before type names are resolved by a dialect.

/// What kind of function a declaration introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DeclaredKind {
    Scalar,
    Aggregate,
    Window,
    Table,
}

/// The mark after a result type saying when the result may be NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NullabilityMark {
    /// `!`: never NULL.
    Never,
    /// `*`: NULL only when every argument is.
    AllArguments,
    /// `~`: may be NULL whatever the arguments.
    Always,
}

/// A type as written: a name, a name with arguments (`decimal(38, 0)`,
/// `map(T, ubigint)`), a generic (`ARRAY<T>`), or an array suffix (`T[]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TypeSyntax {
    Name(String),
    Applied(String, Vec<TypeArgument>),
    Generic(String, Vec<TypeSyntax>),
    Array(Box<TypeSyntax>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TypeArgument {
    Number(String),
    Type(TypeSyntax),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct ParamSyntax {
    pub name: Option<String>,
    pub ty: TypeSyntax,
    pub optional: bool,
    pub variadic: bool,
}

/// A result: a type, or a named rule (`@sum`, `@avg`, `@element(T)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ReturnSyntax {
    Type(TypeSyntax),
    Rule(String, Option<String>),
}

/// `T in (date, timestamp)`: the types, or type classes, a variable may take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Constraint {
    pub variable: String,
    pub allowed: Vec<TypeSyntax>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Declaration {
    /// `volatile`: the result may differ between two calls with the same
    /// arguments (the current time, a random number).
    pub volatile: bool,
    pub kind: DeclaredKind,
    pub names: Vec<String>,
    pub params: Vec<ParamSyntax>,
    pub returns: ReturnSyntax,
    pub nullability: Option<NullabilityMark>,
    pub constraints: Vec<Constraint>,
}

impl TypeSyntax {
    /// The type as text, for the dialect's own type-name parser.
    pub(super) fn to_text(&self) -> String {
        match self {
            TypeSyntax::Name(name) => name.clone(),
            TypeSyntax::Applied(name, arguments) => {
                let arguments: Vec<String> = arguments
                    .iter()
                    .map(|argument| match argument {
                        TypeArgument::Number(number) => number.clone(),
                        TypeArgument::Type(ty) => ty.to_text(),
                    })
                    .collect();
                format!("{name}({})", arguments.join(", "))
            }
            TypeSyntax::Generic(name, arguments) => {
                let arguments: Vec<String> = arguments.iter().map(TypeSyntax::to_text).collect();
                format!("{name}<{}>", arguments.join(", "))
            }
            TypeSyntax::Array(element) => format!("{}[]", element.to_text()),
        }
    }
}
