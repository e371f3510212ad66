/* placeholder: replaced by the intoto bridge */
typedef int prova__intoto_placeholder;
