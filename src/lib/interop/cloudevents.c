/* placeholder: replaced by the cloudevents bridge */
typedef int prova__cloudevents_placeholder;
